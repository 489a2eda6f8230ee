"""The official leave documents as the annex of Peraturan BKN 24/2017 words them: the Formulir Permintaan dan
Pemberian Cuti (`form.py`) and the Surat Izin Cuti per leave type (`letter.py`), each a function from its source
object to a document's HTML (A4, print CSS, an empty `#tte` slot where the signature goes), plus the leave record
(catatan cuti) they read from the ledger (`record.py`)."""
