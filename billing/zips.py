"""Many kept PDFs as one ZIP, streamed (zipstream-ng): the accounts team downloads a whole run at once.

Nothing is ever whole in memory: the documents are read from the database a batch at a time, each file
is added to the archive only when the stream reaches it and read from storage in chunks, and the archive
is written as it goes (a run of 10,000 invoices is some 500 MB). PDFs are compressed already, so the
files are stored, not deflated again. Each file is named after its document's number (INV-000123.pdf).
"""

from django.http import StreamingHttpResponse
from zipstream import ZIP_STORED, ZipStream

CHUNK = 64 * 1024
BATCH = 500


def _file_chunks(storage, name):
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def zip_chunks(documents):
    """The bytes of a ZIP of `documents` (a queryset of invoices or credit notes) that have a kept PDF,
    generated as they are read. A document whose PDF is not rendered yet is left out."""
    archive = ZipStream(compress_type=ZIP_STORED)
    rows = documents.exclude(pdf="").order_by("number").values_list("number", "pdf")
    storage = documents.model._meta.get_field("pdf").storage
    for number, name in rows.iterator(chunk_size=BATCH):
        archive.add(_file_chunks(storage, name), f"{number}.pdf")
        # Only this one file is queued: it is written before the next row is even read.
        yield from archive.all_files()
    yield from archive.footer()


def zip_response(documents, filename):
    response = StreamingHttpResponse(zip_chunks(documents), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
