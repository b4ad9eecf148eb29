"""The patient report: a PDF in the patient's language that shows, honestly, what changed."""
