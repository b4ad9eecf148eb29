"""The patient's record as HL7 FHIR R4: resources built from the services' doors, never imported
by them (docs/fhir.md)."""
