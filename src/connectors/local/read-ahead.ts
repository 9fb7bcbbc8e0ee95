/**
 * Many message files read by a worker thread ahead of the caller, so that the open, fstat,
 * read and close of the next files overlap the work done on the current one (training,
 * classifying, a dry run over a big Maildir). The caller asks for the files in order and
 * gets them synchronously, as it did from readFileWithMtime: same bytes, same mtime, the
 * same error (a file the worker could not read is read again here, and that read throws).
 *
 * Why a worker and not fs's asynchronous calls: each of those is a round trip through the
 * event loop, and four per file cost the main thread more than the synchronous calls they
 * replace (read-file.ts). The worker posts a batch of files as one transferred buffer and
 * the caller takes it with receiveMessageOnPort, without waiting for the event loop.
 *
 * Nothing waits for the worker to start: a file nobody has claimed yet is read here, so
 * the first files are read by the caller while the worker boots (~30 ms), and a worker
 * that dies or stalls only means the caller reads the rest itself. Files are claimed
 * through a shared counter, so each is read once. The worker stays at most AHEAD_FILES
 * files and AHEAD_KB of content ahead of the caller.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { readFileWithMtime, type FileContent } from './read-file.js';

/** Fewer files than this are read in place: a worker costs more than it saves. */
export const READ_AHEAD_FROM = 64;

const BATCH = 16;
const AHEAD_FILES = 256;
const AHEAD_KB = 32 * 1024;
/** How long the caller waits for a file the worker claimed before reading it itself. */
const STALL_MS = 2000;

// Slots of the shared Int32Array.
const CLAIMED = 0; // next file nobody has claimed
const CONSUMED = 1; // files the caller has taken
const PRODUCED = 2; // batches posted (the caller waits on it)
const INFLIGHT_KB = 3; // content posted and not yet taken
const FAILED = 4; // 1: the worker stopped; read everything in place

/** Files start..start + ends.length - 1, their contents one after another in `bytes`. */
interface Batch {
  readonly start: number;
  /** Where each file's content ends in `bytes`. */
  readonly ends: Int32Array;
  /** 0: the worker could not read that file (it is read again in place, for its error). */
  readonly ok: Uint8Array;
  readonly mtimes: Float64Array;
  readonly bytes: ArrayBuffer;
  readonly kb: number;
}

/** The worker's code (plain CommonJS, so that it runs the same from dist/, tsx and bundles). */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { openSync, fstatSync, readSync, closeSync } = require('node:fs');
const { paths, port, shared, batch, aheadFiles, aheadKb } = workerData;
const s = new Int32Array(shared);
function readOne(path) {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    const chunks = [];
    let size = 0;
    for (;;) {
      const want = st.size > size ? st.size - size : 65536;
      const buf = Buffer.allocUnsafeSlow(want);
      const n = readSync(fd, buf, 0, want, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      size += n;
      if (st.size > 0 && size >= st.size) break;
    }
    return { chunks, size, mtime: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}
try {
  for (;;) {
    for (;;) {
      const consumed = Atomics.load(s, 1);
      if (Atomics.load(s, 0) - consumed <= aheadFiles && Atomics.load(s, 3) <= aheadKb) break;
      Atomics.wait(s, 1, consumed, 50);
    }
    const start = Atomics.add(s, 0, batch);
    if (start >= paths.length) break;
    const end = Math.min(paths.length, start + batch);
    const files = [];
    let total = 0;
    for (let i = start; i < end; i++) {
      let f = null;
      try { f = readOne(paths[i]); } catch { f = null; }
      files.push(f);
      if (f) total += f.size;
    }
    const bytes = new ArrayBuffer(total);
    const all = new Uint8Array(bytes);
    const ends = new Int32Array(files.length);
    const ok = new Uint8Array(files.length);
    const mtimes = new Float64Array(files.length);
    let o = 0;
    files.forEach((f, k) => {
      if (f) {
        for (const c of f.chunks) { all.set(c, o); o += c.length; }
        ok[k] = 1;
        mtimes[k] = f.mtime;
      }
      ends[k] = o;
    });
    const kb = Math.ceil(total / 1024);
    Atomics.add(s, 3, kb);
    port.postMessage({ start, ends, ok, mtimes, bytes, kb }, [bytes]);
    Atomics.add(s, 2, 1);
    Atomics.notify(s, 2);
  }
} catch {
  Atomics.store(s, 4, 1);
  Atomics.notify(s, 2);
}
`;

export class ReadAhead {
  private readonly shared = new Int32Array(new SharedArrayBuffer(5 * 4));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  /** Received batches by their first file. */
  private readonly batches = new Map<number, Batch>();
  private closed = false;
  /** Files read in place so far (not by the worker): for measurements. */
  inPlace = 0;

  constructor(private readonly paths: readonly string[]) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { paths, port: port2, shared: this.shared.buffer, batch: BATCH, aheadFiles: AHEAD_FILES, aheadKb: AHEAD_KB },
      transferList: [port2],
      // Its own small heap: it only copies bytes.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
    });
    this.worker.unref();
    // A worker that fails to start or dies: everything left is read in place.
    this.worker.on('error', () => Atomics.store(this.shared, FAILED, 1));
  }

  /** The bytes and mtime of paths[i]. Call with i = 0, 1, 2...; throws the fs error of that file. */
  read(i: number): FileContent {
    const s = this.shared;
    let content = this.fromWorker(i);
    if (content === undefined) {
      this.inPlace++;
      content = readFileWithMtime(this.paths[i]!);
    }
    Atomics.store(s, CONSUMED, i + 1);
    if ((i + 1) % BATCH === 0) Atomics.notify(s, CONSUMED);
    return content;
  }

  /** Stop the worker (idempotent). Files not read yet are simply dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.shared, CLAIMED, this.paths.length);
    Atomics.store(this.shared, CONSUMED, this.paths.length);
    Atomics.store(this.shared, INFLIGHT_KB, 0);
    Atomics.notify(this.shared, CONSUMED);
    this.port.close();
    void this.worker.terminate();
  }

  /** paths[i] as the worker read it; undefined when it is to be read in place. */
  private fromWorker(i: number): FileContent | undefined {
    const s = this.shared;
    let waited = 0;
    for (;;) {
      const batch = this.batchOf(i);
      if (batch !== undefined) return this.take(batch, i);
      // Nobody has claimed it: read it here.
      const claimed = Atomics.load(s, CLAIMED);
      if (claimed <= i && Atomics.compareExchange(s, CLAIMED, claimed, i + 1) === claimed) return undefined;
      if (claimed <= i) continue; // the worker claimed a batch meanwhile
      const produced = Atomics.load(s, PRODUCED);
      if (this.receive()) continue;
      if (Atomics.load(s, FAILED) === 1 || waited >= STALL_MS) return undefined;
      Atomics.wait(s, PRODUCED, produced, 20);
      waited += 20;
    }
  }

  /** The received batch holding paths[i] (at most AHEAD_FILES / BATCH are held). */
  private batchOf(i: number): Batch | undefined {
    for (const batch of this.batches.values()) if (batch.start <= i && i < batch.start + batch.ends.length) return batch;
    return undefined;
  }

  private receive(): boolean {
    let got = false;
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const batch = m.message as Batch;
      this.batches.set(batch.start, batch);
      got = true;
    }
    return got;
  }

  private take(batch: Batch, i: number): FileContent | undefined {
    const k = i - batch.start;
    if (k === batch.ends.length - 1) {
      this.batches.delete(batch.start);
      Atomics.sub(this.shared, INFLIGHT_KB, batch.kb);
    }
    if (batch.ok[k] === 0) return undefined;
    const from = k === 0 ? 0 : batch.ends[k - 1]!;
    return { raw: Buffer.from(batch.bytes, from, batch.ends[k]! - from), mtime: new Date(batch.mtimes[k]! + 0.5) }; // as fs.Stats rounds mtimeMs
  }
}

/** Reads paths[i] for i = 0, 1, 2...: through a ReadAhead when there are many, else in place. */
export interface FileReader {
  read(i: number): FileContent;
  close(): void;
}

export function readFiles(paths: readonly string[]): FileReader {
  if (paths.length >= READ_AHEAD_FROM) return new ReadAhead(paths);
  return { read: (i) => readFileWithMtime(paths[i]!), close: () => {} };
}
