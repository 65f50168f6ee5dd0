"""The company's mailbox as a way in: customers' emails become complaints, faults, cancellations, order
notes and replies on their cases, without retyping (Code: faults "can be reported around the clock via
email"; cancellations by "a written request in the form of an email"; complaints by any channel).

- readers.py: the mailbox (IMAP, or a maildir on the embedded default);
- parsing.py: an email's bytes read safely (charsets, broken MIME, HTML-only mail, robots);
- storing.py: the raw email and its row, in one transaction, before anything else;
- poller.py: one pass (store, move, sort), run every minute by the beat and by `manage.py fetch_mail`;
- sorting.py: replies join their case, robots are kept aside, the rest waits in triage with a receipt;
- registry.py: how complaints, faults and orders plug in (their references, their customers' messages,
  the conversions customer services make in the triage list);
- services.py: what staff do with an email in triage (portal/admin.py's triage list).

Who reads the mailbox: customer services and administrators (the triage list, each email and its files).
Decision: engineers do not. An email is nobody's case until customer services sort it, and most of the
mailbox is not about faults; once an email is a fault, or joins one, its words are on the fault's timeline,
which engineers read, so they have what the repair needs without opening the customers' mailbox.
"""
