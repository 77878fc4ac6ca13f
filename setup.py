"""Packaging for cohesity-sdk."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "cohesity_sdk" / "__init__.py").read_text(), re.M
).group(1)
REQUIRES = [
    line.strip()
    for line in (HERE / "requirements.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]

setup(
    name="cohesity-sdk",
    version=VERSION,
    description="Python client for the Cohesity Helios v2 REST API",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=find_packages(include=["cohesity_sdk", "cohesity_sdk.*"]),
    package_data={"cohesity_sdk": ["py.typed"]},
    include_package_data=True,
    install_requires=REQUIRES,
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Typing :: Typed",
        "Intended Audience :: System Administrators",
    ],
    zip_safe=False,
)
