# Set-up and entry points: `make app` launches NetDesigner, `make test` runs the whole test suite.
# Both create .venv on first use and install what they need.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXAMPLE ?= projects/lenet5_digits.json
# Debian packages for the real-window (X11) test: a virtual screen and Qt's xcb plugin needs.
X11_PACKAGES := xvfb libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0
X11_LIBRARIES := libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-render-util.so.0

.PHONY: app test setup x11

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0" "torchvision==0.28.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

x11:
	@missing=0; command -v Xvfb >/dev/null || missing=1; \
	for lib in $(X11_LIBRARIES); do ldconfig -p | grep -q "$$lib" || missing=1; done; \
	if [ $$missing = 1 ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(X11_PACKAGES) >/dev/null; \
		else echo "note: the real-window test needs: sudo apt-get install $(X11_PACKAGES)"; fi; \
	fi

app: $(STAMP)
	$(VENV)/bin/netdesigner $(EXAMPLE)

test: $(STAMP) x11
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest
