"""Custom code: a call the catalog has no layer for, kept as the imported module wrote it."""

from nodes.custom_call import (
    call_code,
    constructor_arguments,
    module_expression,
    problems,
    top_statements,
)
from nodes.params import ChoiceParam, IntParam, IntsParam, TextParam
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec, PortSpec

CUSTOM_KIND = "custom_code"
MAX_INPUTS = 64
MAX_CODE = 1_000_000  # characters of carried source


def custom_check(params, inputs) -> list[Problem]:
    return [Problem(f"{{layer}} {problem}") for problem in problems(params, len(inputs))]


def custom_forward(ctx: ForwardContext) -> list[str]:
    return [f"{ctx.output} = {call_code(ctx.params, ctx.layer, ctx.inputs)}"]


register(
    LayerSpec(
        kind=CUSTOM_KIND,
        name="Custom code",
        category="Custom",
        help=(
            "Calls a function or module the catalog has no layer for: one from torch (or "
            "another library) by its import path, or code of your own that the node carries. "
            "A project with code of its own runs it only once you trust it."
        ),
        params=(
            ChoiceParam(
                "call",
                "function",
                "Call a function, or build and call a module",
                ("function", "module"),
            ),
            TextParam(
                "target",
                "torch:clone",
                "What it calls: an import path (torch:cumsum, torch.nn:Softplus, "
                "torch:Tensor.expand) or a name its code defines",
            ),
            TextParam(
                "arguments",
                "x0",
                "The call's arguments: inputs x0, x1, ..., constants, sizes such as "
                "x0.shape[0], and weight (its learned tensor)",
                max_length=2000,
            ),
            TextParam(
                "init", "", "A module's constructor arguments, such as beta=2.0", max_length=2000
            ),
            TextParam(
                "code",
                "",
                "The source it carries (classes, functions and the imports they need)",
                max_length=MAX_CODE,
                multiline=True,
            ),
            IntParam("inputs", 1, "How many tensors it takes", min=1, max=MAX_INPUTS),
            IntParam(
                "item",
                -1,
                "Which part of a tuple result it gives (-1: the result)",
                min=-1,
                max=MAX_INPUTS,
            ),
            IntsParam(
                "weight_shape",
                (),
                "Shape of a tensor it learns and reads as `weight` (none when empty)",
                min=1,
                max=1_000_000,
                min_len=0,
            ),
        ),
        inputs=(PortSpec("in", many=True),),
        module_of=module_expression,
        arguments=lambda p, x: constructor_arguments(p),
        forward=custom_forward,
        check=custom_check,
        top_code=top_statements,
        dtypes=("float", "long"),
    )
)
