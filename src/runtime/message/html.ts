/**
 * HTML to plain text for the body extension (RFC 5173 §5.2 leaves the "text" of an HTML
 * part to the implementation). The message view does not call this itself: text/html
 * parts keep their markup in decodedText(), and the body extension decides.
 */
import { compile } from 'html-to-text';

/** One compiled converter for the process; no word wrapping, so lines stay as written. */
const convert = compile({ wordwrap: false });

/** Reduce HTML to its text. Never throws; on a converter failure the tags are stripped crudely. */
export function htmlToText(html: string): string {
  try {
    return convert(html);
  } catch {
    return html.replace(/<[^>]*>/g, ' ');
  }
}
