# Duty Desk — two commands on a fresh machine:
#   make run    set everything up and open the desk on its embedded demo default
#   make test   set everything up and run the whole suite offscreen (lint, types, layers, tests)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

# Debian packages the desk needs: Qt's xcb platform and GL, a CJK font for Chinese text,
# ALSA's player (the sound backend playsound3 can use), Xvfb for screenshots, poppler-utils (pdftoppm:
# the handover report's PDF looked at as PNG).
DEBS := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 \
        libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 \
        libxcb-randr0 libxcb-xkb1 libxcb-xinerama0 fonts-wqy-microhei alsa-utils poppler-utils

.PHONY: run test lint system-deps venv translations bench clean

system-deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "note: not a Debian system; make sure these (or their equivalents) are installed:$$missing"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || { echo "error: apt-get could not install:$$missing"; exit 1; }; \
	else \
	  echo "warning: missing Debian packages (run as root or: sudo apt-get install$$missing)"; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# the UI's translations: resources/i18n/*.ts (the sources, in git) compiled to .qm (build output).
# After changing a user-visible string, update the .ts with
#   .venv/bin/pyside6-lupdate -locations none views/*.py widgets/*.py -ts resources/i18n/desk_zh_CN.ts
# and translate the new entries (pyside6-linguist, or by hand: it is XML).
QM := $(patsubst %.ts,%.qm,$(wildcard resources/i18n/*.ts))

translations: $(QM)

resources/i18n/%.qm: resources/i18n/%.ts | $(STAMP)
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

venv: system-deps $(STAMP) translations

run: venv
	$(PY) main.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: venv lint
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest

bench: venv
	$(PY) bench/ingest.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
