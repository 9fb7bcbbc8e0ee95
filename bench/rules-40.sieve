# bench/rules-40.sieve: a realistic personal filter of 40 rules, written for the
# SpamAssassin-era mail of ../shared/corpus (mailing lists from 2002, spam, personal mail).
# Used by `npm run bench` (bench/rules.ts) for both mailsift and Pigeonhole's sieve-filter.
# Header tests dominate, as in real scripts; one rule reads the body.
# No editheader: Pigeonhole 0.5.19's sieve-filter panics (istream.c:358, assertion
# !stream->blocking) when a body test reads a message that addheader changed (seen on a spam
# message with a 30 KB Content-Type header), so the reference could not run.
require ["fileinto", "copy", "imap4flags", "variables", "envelope", "relational",
         "comparator-i;ascii-numeric", "subaddress", "regex", "body", "spamtest",
         "date", "mailbox", "enotify"];

# --- bookkeeping: values later rules use -----------------------------------------
# 1. the year the message was written, from its Date header
set "msgyear" "unknown";
if date :matches :originalzone "date" "year" "*" { set "msgyear" "${1}"; }
# 2. today (for the archive folder of old mail)
if currentdate :matches "year" "*" { set "thisyear" "${1}"; }
# 3. sender address, lower case, for the folder names below
if address :all :matches "from" "*" { set :lower "sender" "${1}"; }
# 4. am I a direct recipient? (rule 39)
set "direct" "no";
if address :domain :is "to" ["spamassassin.taint.org", "netnoteinc.com"] { set "direct" "yes"; }

# --- spam ----------------------------------------------------------------------
# 5. the spam filter's score
if spamtest :value "ge" :comparator "i;ascii-numeric" "7" {
  fileinto :flags "\\Seen" "Junk";
  stop;
}
# 6. upstream spam flags
if anyof (header :is "X-Spam-Flag" "YES",
          header :contains "X-Spam-Status" "Yes,") {
  fileinto "Junk";
  stop;
}
# 7. known spam vocabulary in the subject
if header :contains "subject" ["viagra", "mortgage rates", "lose weight", "lbs in 30 days",
                               "work from home", "100% free", "$$$", "adult", "casino",
                               "refinance", "cash bonus", "credit card debt"] {
  fileinto :flags "\\Seen" "Junk";
  stop;
}
# 8. shouting subjects: no lower-case letter at all, at least 12 characters
if allof (header :regex "subject" "^[^a-z]{12,}$",
          not header :regex "subject" "^(re|fw|fwd):") {
  addflag "$Suspect";
}
# 9. bulk senders that never send me anything wanted
if address :domain :is "from" ["insurancemail.net", "newsletter.online.com", "evergo.net",
                               "lycos.com", "freeyankeedom.com", "1premio.com"] {
  fileinto "Junk";
  stop;
}
# 10. HTML-only bulk mail from free mail providers, not addressed to me
if allof (header :contains "content-type" "text/html",
          address :domain :is "from" ["hotmail.com", "yahoo.com", "aol.com", "msn.com",
                                      "excite.com", "netscape.net"],
          not address :domain :contains ["to", "cc"] ["spamassassin.taint.org", "netnoteinc.com"]) {
  fileinto "Junk";
  stop;
}
# 11. a classic of 2002 spam: the "remove" footer (the one body rule)
if allof (size :under 40K,
          not exists "list-id",
          body :text :contains ["to be removed from", "click here to remove",
                                "remove in the subject", "this is not spam"]) {
  fileinto :flags "\\Seen" "Junk";
  stop;
}

# --- mailing lists (by List-Id) -------------------------------------------------
# 12.
if header :contains "list-id" "<fork.xent.com>" { fileinto "Lists/FoRK"; stop; }
# 13.
if header :contains "list-id" ["<ilug.linux.ie>", "<social.linux.ie>", "<webdev.linux.ie>"] {
  fileinto "Lists/ILUG";
  stop;
}
# 14.
if header :contains "list-id" "<rpm-zzzlist.freshrpms.net>" { fileinto "Lists/freshrpms"; stop; }
# 15. all SpamAssassin lists into one folder; commits are flagged as read
if header :regex "list-id" "<(spamassassin|razor)-([a-z]+)\\.example\\.sourceforge\\.net>" {
  set :lower "salist" "${2}";
  if string :is "${salist}" "commits" { addflag "\\Seen"; }
  fileinto "Lists/SpamAssassin";
  stop;
}
# 16.
if header :contains "list-id" ["<exmh-workers.spamassassin.taint.org>",
                               "<exmh-users.spamassassin.taint.org>"] {
  fileinto "Lists/exmh";
  stop;
}
# 17. Yahoo groups have no List-Id, only Mailing-List / Delivered-To
if anyof (header :contains "mailing-list" "yahoogroups.com",
          header :contains "delivered-to" "mailing list zzzzteana@yahoogroups.com") {
  fileinto "Lists/zzzzteana";
  stop;
}
# 18. security lists
if anyof (header :contains "list-id" "securityfocus.com",
          address :domain :is "from" "securityfocus.com") {
  fileinto :flags "\\Flagged" "Lists/Security";
  stop;
}
# 19. any other list with a List-Id gets a folder of its own (created on demand)
if header :matches "list-id" "*<*.*>*" {
  set :lower "listname" "${2}";
  fileinto :create "Lists/Other/${listname}";
  stop;
}
# 20. old-style lists: bulk precedence plus a list header
if allof (header :is "precedence" ["bulk", "list", "junk"],
          anyof (exists "list-unsubscribe", exists "x-beenthere", exists "list-post")) {
  fileinto "Lists/Unsorted";
  stop;
}

# --- people and senders ---------------------------------------------------------
# 21. family and friends: flag, keep in INBOX, copy into the People folder
if address :is "from" ["jm@jmason.org", "yyyy@spamassassin.taint.org", "rohit@khare.org",
                       "tim.one@comcast.net", "gward@python.net"] {
  addflag "\\Flagged";
  fileinto :copy "People";
  keep;
  stop;
}
# 22. the boss: notify by mail and keep
if address :domain :is "from" "DeepEddy.Com" {
  notify :importance "1" :message "Mail from ${sender}" "mailto:pager@example.com";
  keep;
  stop;
}
# 23. mail to my +tag addresses goes into the tag's folder
if envelope :detail :matches "to" "*" {
  set :lower "tag" "${1}";
  fileinto :create "Tags/${tag}";
  stop;
}
# 24. automated senders
if address :localpart :is "from" ["noreply", "no-reply", "donotreply", "mailer-daemon",
                                  "postmaster", "bounce", "newsletter", "news", "root"] {
  fileinto "Automated";
  stop;
}
# 25. bounces by the envelope's null or daemon sender
if envelope :localpart :is "from" ["mailer-daemon", "postmaster", "bounces"] {
  fileinto "Automated/Bounces";
  stop;
}
# 26. forward receipts from the shop to the accounting address
if allof (address :domain :is "from" ["amazon.com", "paypal.com", "ebay.com"],
          header :contains "subject" ["order", "receipt", "payment", "invoice"]) {
  redirect :copy "accounting@example.com";
  fileinto "Receipts";
  stop;
}

# --- subject and content keywords -----------------------------------------------
# 27. invitations and meetings
if header :contains "subject" ["meeting", "invitation", "conference call", "agenda"] {
  addflag "$Meeting";
}
# 28. urgent mail is flagged
if anyof (header :contains "subject" ["urgent", "asap", "important"],
          header :is "x-priority" ["1", "1 (Highest)", "2 (High)"],
          header :is "importance" "high") {
  addflag "\\Flagged";
}
# 29. replies to threads I started are read on sight
if allof (header :matches "subject" ["Re: *", "RE: *", "Fwd: *"],
          exists "in-reply-to") {
  addflag "$Reply";
}
# 30. the spammer's favourite: a forged tag in the subject
if header :regex "subject" "\\[(adv|ad|advertisement)\\]" {
  fileinto "Junk";
  stop;
}
# 31. Outlook Express mail from dial-up hosts, mass-mailed (many hops, many recipients)
if allof (header :contains "x-mailer" "Outlook Express",
          header :count "ge" :comparator "i;ascii-numeric" "received" "6") {
  addflag "$ManyHops";
}
# 32. many recipients: probably a circular
if address :count "gt" :comparator "i;ascii-numeric" ["to", "cc"] "10" {
  addflag "$Bulk";
}

# --- size and date ----------------------------------------------------------------
# 33. large mail (attachments) is archived aside
if size :over 200K {
  fileinto "Large";
  stop;
}
# 34. tiny messages with nothing but a link are suspicious
if allof (size :under 1K, header :regex "content-type" "^text/html") {
  addflag "$Suspect";
}
# 35. mail written on a weekend
if date :is :originalzone "date" "weekday" ["0", "6"] {
  addflag "$Weekend";
}
# 36. mail older than this year goes into the year's archive
if allof (string :is "${msgyear}" "2002",
          date :value "lt" :originalzone "date" "date" "2002-08-01") {
  fileinto :create "Archive/${msgyear}";
  stop;
}
# 37. mail with a date in the future (broken clocks, spam)
if currentdate :value "lt" "date" "2003-01-01" {
  if date :value "gt" :originalzone "date" "year" "2003" {
    addflag "$Suspect";
  }
}

# --- catch-all -------------------------------------------------------------------
# 38. suspect mail goes to a review folder
if hasflag :contains "$Suspect" {
  fileinto "Review";
  stop;
}
# 39. mail addressed to me directly stays in INBOX; mail where I am only in Cc is read later
if allof (string :is "${direct}" "no",
          address :domain :is "cc" ["spamassassin.taint.org", "netnoteinc.com"]) {
  fileinto "CC";
  stop;
}
# 40. everything else: keep, with the flags collected above
keep;
