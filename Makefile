# AtlasChart: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MEDIAPIPE := mediapipe==0.10.21
# Test photos only: this wheel ships bus.jpg, two people standing full length (frontal). Its code
# is never imported (AGPL-3.0); the tests and bench/posture.py read the JPEG from the package.
PHOTO_WHEEL := ultralytics==8.4.190

.PHONY: run test install messages lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# The pose model ships inside this wheel; its declared deps (jax, numpy<2, ...) are not needed
	# at run time, so it goes in without them (docs/decisions/0002-pose-model-install.md).
	$(PY) -m pip install --quiet --no-deps $(MEDIAPIPE)
	$(PY) -m pip install --quiet --no-deps $(PHOTO_WHEEL)
	touch $(STAMP)

install: $(STAMP)

# Compiles the Korean .po files with polib: no system gettext tools needed.
messages: $(STAMP)
	$(VENV)/bin/atlaschart i18n compile

# `serve` starts gunicorn and, with no broker set, a Celery worker on the filesystem transport
# under var/tasks (docs/background.md): still two commands and no server to install.
run: messages
	DEBUG=1 $(VENV)/bin/atlaschart migrate
	DEBUG=1 $(VENV)/bin/atlaschart demo
	if [ "$$DICOM_LISTEN" = "1" ]; then DEBUG=1 $(VENV)/bin/atlaschart dicom listen & fi  # DICOM receiver, only if asked (docs/dicom_receiver.md)
	DEBUG=1 $(VENV)/bin/atlaschart serve

test: messages
	$(PY) tools/run_tests.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: messages
	$(PY) bench/web.py

clean:
	rm -rf $(VENV) var/test-*
