"""Hindi names on the admin pages are drawn in Mukta served with the app, not in whatever the machine has."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders

ADMIN_CSS = Path(finders.find("galla/admin.css"))


def test_every_font_the_admin_css_names_is_served():
    files = re.findall(r'url\("(fonts/[^"]+)"\)', ADMIN_CSS.read_text())
    assert {"fonts/Mukta-Regular.ttf", "fonts/Mukta-SemiBold.ttf", "fonts/Mukta-Bold.ttf"} <= set(files)
    for name in files:
        found = finders.find(f"galla/{name}")
        assert found and Path(found).read_bytes()[:4] == b"\x00\x01\x00\x00", name  # a TrueType file


def test_devanagari_falls_back_to_mukta_and_everything_else_stays_in_inter():
    css = ADMIN_CSS.read_text()
    assert '--font-sans: "Inter", "Galla Devanagari", sans-serif' in css
    assert all("unicode-range: U+0900-097F" in face for face in css.split("@font-face")[1:4])
