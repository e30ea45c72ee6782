"""The model, loaded once from ``model.yaml``: enums, roster tables, node and edge kinds.

The YAML file is the single place where kinds, properties and Chinese labels are
declared; everything else asks this module (``model()``). What the model is made of is in
``graph/model_types.py``; how the file is read and checked, ``graph/model_build.py``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from liaison_graph.graph.model_build import build_model
from liaison_graph.graph.model_types import Model


@cache
def model() -> Model:
    """The product's model, parsed once (with libyaml where it is built in: several times
    faster, and the modules that name kinds read the model as they are imported)."""
    text = resources.files("liaison_graph.graph").joinpath("model.yaml").read_text(encoding="utf-8")
    return build_model(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
