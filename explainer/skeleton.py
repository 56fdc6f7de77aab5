"""`build.py new DIR`: the content of a new explainer, with every field in use, that builds with --strict at once.

The skeleton holds content only (it is built with the project's templates, or with --templates);
each YAML file names its JSON Schema on its first line, so that editors complete and check it.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .content_schemas import comment_line
from .errors import UsageError

#: The project's generated JSON Schemas (build.py schema writes them).
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

FILES: dict[str, str] = {
    "site.yaml": """\
# The explainer's settings. docs/content.md describes every field.
title: "New explainer: replace this headline"
dek: One sentence under the headline that says what the explainer covers.
description: >-
  One or two sentences for search engines and for links shared on social media.
language: en
base_url: https://example.org/new-explainer/
authors:
  - Explainer desk
publisher: Example News
# Where 'python build.py publish' pushes the site when --remote is not given.
publish_remote: ../explainer-site.git
""",
    "phases.yaml": """\
# The parts of the story, in the order they are told. Every event belongs to one.
- id: background
  title: Background
  summary: What a reader needs to know before the first event. *Markdown* works here.

- id: the-agreement
  title: The agreement
  summary: The events the explainer is about.
""",
    "timeline.yaml": """\
# Events, each with at least one source. Dates are as precise as the sources: YYYY, YYYY-MM or YYYY-MM-DD.
- id: talks-begin
  date: 2024-03
  date_label: Early March 2024
  title: Talks begin
  summary: >-
    Officials of the two sides begin talks, according to the ministry. An event known
    only to the month shows the month, or the date_label when there is one.
  phase: background
  actors: [example-ministry]
  places: [border-town]
  tags: [diplomacy]
  sources: [s2]

- id: agreement-signed
  date: 2024-06-19
  end: 2024-06-20
  time: "10:30+02:00"
  reported: 2024-06-21
  title: The agreement is signed
  summary: >-
    The foreign minister signs the agreement in Capital City. Write one to three
    sentences; [links](https://example.com/news/agreement) are allowed.
  body: >-
    More detail, shown on the event's own page. The old address of this event,
    events/agreement/, still works: it is listed under aliases.
  phase: the-agreement
  actors: [ann-example]
  places: [capital-city]
  tags: [diplomacy, agreement]
  sources: [s1, s2]
  claims:
    - text: About 100 officials attended the signing.
      by: example-ministry
      date: 2024-06-19
      figure: 100
      status: claimed
      sources: [s2]
  media:
    file: placeholder.png
    alt: A grey rectangle with the words "Replace this image"
    caption: Replace this image with one you have the rights to publish.
    credit: Explainer desk
  aliases: [agreement]

- id: next-step
  date: 2024-07
  title: A draft event
  summary: Events marked draft are left out unless the site is built with --drafts.
  phase: the-agreement
  sources: [s1]
  draft: true
""",
    "quotes.yaml": """\
# Quotations, word for word, with who said them, when, where and the source.
- id: q1
  text: "We signed it today, and we will keep it."
  speaker: ann-example
  role: Foreign minister, speaking for the government
  date: 2024-06-19
  setting: News conference in Capital City
  source: s1
  event: agreement-signed
  original:
    lang: ru
    text: "Мы подписали его сегодня и будем его соблюдать."
  note: Our translation from the Russian.
# lang marks words that are not in the explainer's language, so screen readers pronounce them right.
- id: q2
  text: "Договор вступит в силу после ратификации."
  lang: ru
  speaker: ann-example
  date: 2024-06-19
  setting: News conference in Capital City
  source: s1
  event: agreement-signed
  note: Left in Russian here, to show a quotation in its own language.
""",
    "people.yaml": """\
# People, organisations, countries and documents, with their role at the time.
- id: ann-example
  name: Ann Example
  native_name: Анна Пример
  native_lang: ru
  role: Exampleland's foreign minister
  kind: person

- id: example-ministry
  name: Ministry of Examples
  role: Exampleland's foreign ministry
  kind: organisation
""",
    "places.yaml": """\
# Places; coordinates are optional and approximate.
- id: capital-city
  name: Capital City
  country: Exampleland
  lat: 48.21
  lon: 16.37

- id: border-town
  name: Border Town
  country: Exampleland
""",
    "sources.yaml": """\
# Sources: publisher is the original outlet; via names the site whose copy was read at url.
- id: s1
  publisher: Example Wire
  title: Minister signs the agreement
  date: 2024-06-19
  url: https://example.com/news/agreement

- id: s2
  publisher: Ministry of Examples
  title: "[Statement on the talks]"
  date: 2024-06-20
  url: https://example.net/archive/ministry-statement
  via: Example Archive
""",
    "updates.yaml": """\
# The updates log, oldest first: the first publication, then every update, correction and clarification.
- date: "2024-06-21T09:00:00+00:00"
  kind: publication
  text: First published.

- date: "2024-06-22T12:00:00+00:00"
  kind: update
  text: Added the start of the talks in March.
  events: [talks-begin]

- date: "2024-06-23T08:00:00+00:00"
  kind: correction
  text: An earlier version said the agreement was signed on June 18. It was signed on June 19.
  events: [agreement-signed]

- date: "2024-06-24T16:45:00+02:00"
  kind: clarification
  text: The number of officials at the signing is the ministry's figure.
  events: [agreement-signed]
""",
}

PAGES: dict[str, str] = {
    "what-you-need-to-know.md": """\
---
title: What you need to know
order: 1
lead: true
description: The main points of the explainer, in a few lines.
---

- **The agreement.** A lead page (lead: true) is shown on the explainer's first screen.
- **The sources.** Every event, claim and quotation names its sources.
""",
    "methodology.md": """\
---
title: How this explainer was reported
order: 2
description: Our sources, translations and how we label claims.
---

## Sources

Pages are Markdown with a few fields at the top. They are listed in the menu by `order`.
""",
}


def placeholder_image() -> bytes:
    """content/media/placeholder.png: a grey image that says what to do with it."""
    image = Image.new("RGB", (1200, 675), (222, 222, 222))
    draw = ImageDraw.Draw(image)
    draw.text((600, 337), "Replace this image", font=ImageFont.load_default(size=64), fill=(60, 60, 60), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def skeleton_files(folder: Path, schemas: Path = SCHEMAS) -> dict[str, bytes]:
    """Every file of a new explainer's content, by path relative to its folder."""
    files: dict[str, bytes] = {}
    for name, text in FILES.items():
        files[name] = f"{comment_line(folder / name, schemas)}\n{text}".encode()
    for name, text in PAGES.items():
        files[f"pages/{name}"] = text.encode()
    files["media/placeholder.png"] = placeholder_image()
    return files


def new_site(folder: Path, schemas: Path = SCHEMAS) -> list[str]:
    """Write a new explainer's content into folder, which must be missing or empty; return the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} exists and is not empty: nothing was written; choose a new folder")
    files = skeleton_files(folder.resolve(), schemas)
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(files)
