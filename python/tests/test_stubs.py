"""The type stubs declare exactly what the native module has."""

import ast
import inspect
import os

import searchtrace
import searchtrace._core as core

STUBS = os.path.join(os.path.dirname(searchtrace.__file__), "_core.pyi")


def declared():
    tree = ast.parse(open(STUBS).read())
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = {m.name for m in node.body
                                if isinstance(m, (ast.FunctionDef, ast.AnnAssign))
                                and not (isinstance(m, ast.FunctionDef) and m.name == "__init__")}
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = None
        elif isinstance(node, ast.AnnAssign) and not node.target.id.startswith("_T") \
                and not node.target.id.startswith("_I"):
            names[node.target.id] = None
    return names


def test_every_declared_name_exists():
    for name, members in declared().items():
        assert hasattr(core, name), name
        for member in members or ():
            assert hasattr(getattr(core, name), member), f"{name}.{member}"


def test_every_public_name_is_declared():
    names = declared()
    public = {n for n in dir(core) if not n.startswith("_")} | {"__version__"}
    assert public == set(names)
    for name, members in names.items():
        cls = getattr(core, name)
        if not inspect.isclass(cls):
            continue
        mine = {m for m in vars(cls) if not m.startswith("_")}
        assert mine <= members, f"{name}: {sorted(mine - members)} not in the stubs"


def test_the_package_exports_the_module_and_the_errors():
    for name in searchtrace.__all__:
        assert hasattr(searchtrace, name), name
    assert set(declared()) <= set(searchtrace.__all__)
    assert searchtrace.__version__ == "0.1.0"
