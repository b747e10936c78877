"""The AST scan that flags answer cells reaching into kernel internals."""

import pytest

from grading.engine.flags import kernel_internals


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("def rice(r, i, c, e):\n    return r * i * c / e", []),
        ("import math\nimport os\nprint(os.path.join('a', 'b'), math.pi)", []),
        ("get_ipython().kernel.session.send = None", ["get_ipython"]),
        ("import sys\nsys.modules['json'] = None", ["sys.modules"]),
        ("import sys as s\ns._getframe(1)", ["sys._getframe"]),
        (
            "from inspect import currentframe\ncurrentframe()",
            ["import inspect", "inspect.currentframe"],
        ),
        (
            "import inspect\ninspect.currentframe().f_back",
            ["f_back", "import inspect", "inspect.currentframe"],
        ),
        ("import ctypes", ["import ctypes"]),
        ("import gc\ngc.get_objects()", ["gc.get_objects", "import gc"]),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", ["import signal", "os.kill"]),
        ("import IPython.core.interactiveshell", ["import IPython"]),
        ("from ipykernel import kernelbase", ["import ipykernel"]),
        ("__builtins__['len'] = lambda x: 3", ["__builtins__"]),
        ("import builtins\nbuiltins.print = None", ["import builtins"]),
        ("getattr(object, '__subclasses__')", []),
        ("().__class__.__base__.__subclasses__()", ["__subclasses__"]),
        ("f = getattr(g, 'get_ipython')", ["get_ipython"]),
        ("!cat /etc/passwd\nx = 1", ["shell command"]),
        ("%timeit sum(range(10))\nx = 1", []),
        ("def broken(:\n", []),
    ],
)
def test_kernel_internals(code, found):
    assert kernel_internals(code) == found
