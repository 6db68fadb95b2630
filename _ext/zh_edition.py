"""The Simplified Chinese edition: built with the English one, published under ``zh/``.

One set of notebooks, one Sphinx project: the Chinese edition is the same build with
``language: zh_CN`` and the message catalogues in ``locale/zh_CN/LC_MESSAGES/``
(``scripts/translation.py`` makes and checks them).  Code, outputs and figures are the
English edition's, so the two cannot drift apart.

This extension

* builds the Chinese edition when the English HTML build has finished: the same
  ``jupyter-book build`` with ``_config.yml`` overlaid by ``_config_zh.yml``, strict
  (``-W -n``), into ``_build/zh``, then copied to ``_build/html/zh``.  ``BOOK_EDITIONS=en``
  skips it (a quick look at the English while writing);
* puts a language switch in every page's header, to the same page of the other edition
  (section anchors are shared, so the switch keeps the reader's place);
* makes three kinds of text translatable that Sphinx alone would leave in English or break:
  display math (Sphinx re-parses a translated formula as a paragraph, and the LaTeX
  becomes ``\\[::\\]``), the titles of exercises (sphinx-exercise's nodes carry no source),
  and the alt text of figures that notebooks draw (the gettext builder keeps their PNG).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain

ROOT = Path(__file__).resolve().parents[1]
OVERLAY = ROOT / "_config_zh.yml"
ZH_FOLDER = "zh"
SWITCH_TEXT = {"en": "中文", "zh_CN": "English"}
SWITCH_TOOLTIP = {"en": "简体中文版 (this page in Chinese)",
                  "zh_CN": "English edition (本页的英文版)"}


def is_chinese(config) -> bool:
    return (config.language or "en").startswith("zh")


def catalogue(env, config):
    """This document's translations (an empty catalogue when it has none)."""
    domain = docname_to_domain(env.docname, config.gettext_compact)
    dirs = [os.path.join(env.srcdir, d) for d in config.locale_dirs]
    translations, _ = init_locale(dirs, config.language, domain)
    return translations


# ------------------------------------------------------------ translatable text

def as_markdown(node) -> str:
    """A title's text with its math and code marked up again (``$\\sigma'$``)."""
    parts = []
    for child in node.children:
        if isinstance(child, nodes.math):
            parts.append(f"${child.astext()}$")
        elif isinstance(child, nodes.literal):
            parts.append(f"`{child.astext()}`")
        else:
            parts.append(child.astext())
    return "".join(parts)


class ExerciseTitlesAreMessages(SphinxTransform):
    """Give each exercise's title the source and line a message needs."""

    default_priority = 5  # before Sphinx's Locale transform (20)

    def apply(self, **kwargs):
        from sphinx_exercise.nodes import exercise_subtitle

        for subtitle in self.document.findall(exercise_subtitle):
            parent = subtitle.parent.parent  # exercise_title > exercise_node
            subtitle.source = subtitle.source or parent.source or self.env.doc2path(
                self.env.docname)
            subtitle.line = subtitle.line or parent.line or 1
            subtitle.rawsource = as_markdown(subtitle)
            # sphinx-exercise later folds the subtitle into a plain title; the gettext
            # builder finds the message here (add_exercise_titles)
            parent["course_title_message"] = subtitle.rawsource


def add_exercise_titles(app, doctree, docname):
    """Put the exercise titles in the page's catalogue (gettext builder only)."""
    if app.builder.name != "gettext":
        return
    from sphinx.builders.gettext import MsgOrigin

    domain = docname_to_domain(docname, app.config.gettext_compact)
    for node in doctree.findall(nodes.Element):
        if "course_title_message" in node:
            origin = MsgOrigin(node.source or docname, node.line or 0)
            app.builder.catalogs[domain].add(node["course_title_message"], origin)


GLUE = re.compile(r"(\{glue(?::[a-z]+)?\}`)([^`]*)`")


class PrepareTranslations(SphinxTransform):
    """Two repairs before Sphinx's Locale transform translates the page.

    Display math: Locale re-parses a translated formula as a paragraph behind ``::``
    (the LaTeX would become ``\\[::\\]``), so the formula's translation is put in
    place here, as LaTeX, and the block taken out of Locale's hands.

    Glued numbers: Locale parses a translation as a small document of its own, where
    ``{glue:text}`key``` finds no glue data; ``{glue:text}`page.ipynb::key``` names the
    page. The translators write the English form; this rewrites it in the catalogue
    that Locale reads (the translations' dict, ``_catalog``, which Locale reads too).
    """

    default_priority = 15  # before Sphinx's Locale transform (20)

    def apply(self, **kwargs):
        if not is_chinese(self.config):
            return
        translations = catalogue(self.env, self.config)
        page = os.path.basename(self.env.doc2path(self.env.docname))

        def with_page(match):
            role, target = match.group(1), match.group(2)
            if "::" in target:
                return match.group(0)
            # the role splits its format at the last ":", so "page::key" needs the
            # default format written out
            default = {"{glue:text}`": "s", "{glue:md}`": "commonmark"}.get(role)
            if default and ":" not in target:
                target = f"{target}:{default}"
            return f"{role}{page}::{target}`"

        messages = getattr(translations, "_catalog", {})
        for msgid, msgstr in list(messages.items()):
            if isinstance(msgstr, str) and "{glue" in msgstr:
                messages[msgid] = GLUE.sub(with_page, msgstr)

        for block in self.document.findall(nodes.math_block):
            text = block.rawsource or block.astext()
            translated = translations.gettext(text)
            if translated and translated != text:
                block.children = [nodes.Text(translated.strip("\n"))]
                block.rawsource = translated
            block["translatable"] = False


class TranslateTocCaptions(SphinxTransform):
    """Translate the captions of the site menu's parts ("Chapters", "Appendices", ...).

    sphinx-external-toc inserts the table of contents (priority 100) after Sphinx's
    Locale transform has run; the gettext builder extracts the captions all the same.
    """

    default_priority = 101

    def apply(self, **kwargs):
        if not is_chinese(self.config):
            return
        translations = catalogue(self.env, self.config)
        for toctree in self.document.findall(addnodes.toctree):
            caption = toctree.get("caption")
            if caption:
                toctree["caption"] = toctree["rawcaption"] = translations.gettext(caption)


# ------------------------------------------------------------ the language switch

def add_language_switch(app, pagename, templatename, context, doctree):
    """A header button to the same page in the other edition."""
    if "header_buttons" not in context:
        return
    language = "zh_CN" if is_chinese(app.config) else "en"
    up = "../" * pagename.count("/")
    if language == "en":
        url = f"{up}{ZH_FOLDER}/{pagename}.html"
    else:
        url = f"{up}../{pagename}.html"
    context["header_buttons"].insert(0, {
        "type": "link", "url": url, "text": SWITCH_TEXT[language],
        "tooltip": SWITCH_TOOLTIP[language], "icon": "fas fa-language",
        "label": "language-switch",
    })
    context["course_language"] = language


# ------------------------------------------------------------ the Chinese build

def zh_config(into: Path) -> Path:
    """``_config.yml`` with ``_config_zh.yml`` laid over it, paths made absolute."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))

    def merge(base, extra):
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                merge(base[key], value)
            else:
                base[key] = value

    merge(config, overlay)
    extensions = config["sphinx"].get("local_extensions", {})
    for name, folder in extensions.items():
        extensions[name] = str(ROOT / folder)
    into.mkdir(parents=True, exist_ok=True)
    path = into / "_config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def build_chinese_edition(app, exception):
    if exception is not None or app.builder.name != "html" or is_chinese(app.config):
        return
    if "zh" not in os.environ.get("BOOK_EDITIONS", "en,zh").split(","):
        return
    out = ROOT / "_build" / "zh"
    config = zh_config(out)
    command = ["jupyter-book", "build", str(ROOT), "--all", "-W", "-n", "--keep-going",
               "--config", str(config), "--path-output", str(out)]
    env = {**os.environ, "BOOK_PDF": "0", "BOOK_EDITIONS": "en"}
    print("building the Chinese edition: " + " ".join(command[:2] + command[3:]),
          file=sys.stderr)
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        raise ExtensionError(
            "the Chinese edition did not build cleanly (the same strict build as the "
            "English, with language zh_CN). Its last lines:\n" + tail)
    target = Path(app.outdir) / ZH_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(out / "_build" / "html", target)


def setup(app):
    app.add_transform(ExerciseTitlesAreMessages)
    app.add_transform(PrepareTranslations)
    app.add_transform(TranslateTocCaptions)
    app.connect("doctree-resolved", add_exercise_titles)
    # after sphinx-book-theme's add_header_buttons (priority 501)
    app.connect("html-page-context", add_language_switch, priority=505)
    app.connect("build-finished", build_chinese_edition, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
