"""Packaging for cohesity-helios: the package's metadata (pyproject.toml names the backend)."""

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Where a Markdown link target may sit but must be left alone: a fenced block or a code
# span (within its paragraph). Otherwise the target of `[text](target)`, of
# `[text](target "title")` or of a reference `[name]: target`.
_MARKDOWN = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,})(?s:.*?)^[ \t]*(?P=fence)"
    r"|(?<!`)(?P<code>`+)(?!`)(?:(?!\n[ \t]*\n)(?s:.))*?(?<!`)(?P=code)(?!`)"
    r"|(?<=\]\()(?P<target><[^>\n]*>|[^)\s]+)"
    r"|^(?P<label>[ ]{0,3}\[[^\]\n]+\]:[ \t]*)(?P<reference><[^>\n]*>|\S+)",
    re.M,
)
# An absolute URL (http:, https:, mailto:, any scheme) or an anchor in the same page.
_NOT_RELATIVE = re.compile(r"<?(?:[A-Za-z][A-Za-z0-9+.-]*:|#)")


def absolute_links(markdown: str, base: str) -> str:
    """``markdown`` with each relative link target made absolute against ``base``.

    PyPI shows the README away from the repository, where ``docs/UserApi.md`` leads
    nowhere; anchors and absolute URLs stay as they are.
    """

    def rewrite(match: "re.Match[str]") -> str:
        target = match.group("target") or match.group("reference")
        if target is None or _NOT_RELATIVE.match(target):
            return match.group(0)
        url = base + re.sub(r"^(?:\.?/)+", "", target.strip("<>"))
        return (match.group("label") or "") + (f"<{url}>" if target.startswith("<") else url)

    return _MARKDOWN.sub(rewrite, markdown)


def read_version() -> str:
    """The version, kept in one place: ``cohesity_sdk/__init__.py``."""
    return _read_dunder("version")


def _read_dunder(name: str) -> str:
    text = (HERE / "cohesity_sdk" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(rf'^__{name}__ = "([^"]+)"', text, re.M)
    if match is None:
        raise RuntimeError(f"no __{name}__ in cohesity_sdk/__init__.py")
    return match.group(1)


#: The repository, kept in one place with the version (the command line links to it).
REPOSITORY = _read_dunder("url")


def read_requirements() -> "list[str]":
    """The dependencies, kept in one place: ``requirements.txt`` (the README's and CI's)."""
    lines = (HERE / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


# setuptools runs this file as __main__; the tests import it for absolute_links.
if __name__ == "__main__":
    from setuptools import find_packages, setup

    VERSION = read_version()
    setup(
        name="cohesity-helios",
        version=VERSION,
        description=("Python client for the Cohesity Helios v2 REST API (user management); "
                     "not the vendor's cohesity-sdk, with which it cannot share an environment"),
        long_description=absolute_links(
            (HERE / "README.md").read_text(encoding="utf-8"), f"{REPOSITORY}/blob/v{VERSION}/"
        ),
        long_description_content_type="text/markdown",
        author="cohesity-helios contributors",
        license_expression="Apache-2.0",
        license_files=["LICENSE"],
        project_urls={
            "Homepage": REPOSITORY,
            "Source": REPOSITORY,
            # The reference of this release; the changelog of all of them.
            "Documentation": f"{REPOSITORY}/tree/v{VERSION}/docs",
            "Changelog": f"{REPOSITORY}/blob/main/CHANGELOG.md",
            "Issues": f"{REPOSITORY}/issues",
        },
        keywords=["cohesity", "helios", "backup", "api", "sdk", "rest", "users"],
        python_requires=">=3.9",
        packages=find_packages(include=["cohesity_sdk", "cohesity_sdk.*"]),
        package_data={"cohesity_sdk": ["py.typed"]},
        install_requires=read_requirements(),
        # pandas: to_pandas() in notebooks; yaml: access files written in YAML; cli: the
        # command line's shell completion (argcomplete) and its JMESPath queries.
        extras_require={"pandas": ["pandas>=1.5"], "yaml": ["PyYAML>=5.4"],
                        "cli": ["argcomplete>=3.0", "jmespath>=1.0"]},
        entry_points={"console_scripts": ["cohesity-helios = cohesity_sdk.helios.cli:main"]},
        classifiers=[
            "Development Status :: 5 - Production/Stable",
            "Intended Audience :: Developers",
            "Intended Audience :: System Administrators",
            "Operating System :: OS Independent",
            "Programming Language :: Python :: 3",
            "Programming Language :: Python :: 3 :: Only",
            "Programming Language :: Python :: 3.9",
            "Programming Language :: Python :: 3.10",
            "Programming Language :: Python :: 3.11",
            "Programming Language :: Python :: 3.12",
            "Programming Language :: Python :: 3.13",
            "Topic :: Software Development :: Libraries :: Python Modules",
            "Topic :: System :: Archiving :: Backup",
            "Topic :: System :: Systems Administration",
            "Typing :: Typed",
        ],
        zip_safe=False,
    )
