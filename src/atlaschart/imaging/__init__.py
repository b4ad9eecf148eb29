"""Image I/O adapters (photos, DICOM, the pose model runner). No Django imports here."""
