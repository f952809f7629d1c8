"""Recurrent layers: RNN, LSTM and GRU over sequence x features; a sequence or the last step."""

from nodes.checks import expect_rank
from nodes.params import BoolParam, ChoiceParam, FloatParam, IntParam
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec

RECURRENT_DEFAULTS = {"num_layers": 1, "bidirectional": False, "nonlinearity": "tanh"}


def recurrent_params(with_nonlinearity: bool) -> tuple:
    extra = (
        (ChoiceParam("nonlinearity", "tanh", "Activation of the cell", ("tanh", "relu")),)
        if with_nonlinearity
        else ()
    )
    return (
        IntParam("hidden_size", 64, "Features in the hidden state", min=1, max=100_000),
        IntParam("num_layers", 1, "Stacked recurrent layers", min=1, max=64),
        BoolParam("bidirectional", False, "Also read the sequence backwards"),
        FloatParam("dropout", 0.0, "Dropout between stacked layers", min=0.0, max=1.0),
        ChoiceParam(
            "returns",
            "sequence",
            "The output at every step, or only the final hidden state",
            ("sequence", "last"),
        ),
        *extra,
    )


def recurrent_arguments(p, x) -> dict:
    args = {
        "input_size": x[0].shape[-1],
        "hidden_size": p["hidden_size"],
        "num_layers": p["num_layers"],
        "batch_first": True,
        "bidirectional": p["bidirectional"],
    }
    if p["num_layers"] > 1:
        args["dropout"] = p["dropout"]
    if "nonlinearity" in p:
        args["nonlinearity"] = p["nonlinearity"]
    return args


def recurrent_forward(has_cell_state: bool):
    def forward(ctx: ForwardContext) -> list[str]:
        out, call = ctx.output, f"{ctx.layer}({ctx.inputs[0]})"
        if ctx.params["returns"] == "sequence":
            return [f"{out}, _ = {call}"]
        state = f"({out}, _)" if has_cell_state else out
        last = (
            f"torch.cat([{out}[-2], {out}[-1]], dim=1)"
            if ctx.params["bidirectional"]
            else f"{out}[-1]"
        )
        return [f"_, {state} = {call}", f"{out} = {last}"]

    return forward


def recurrent_check(p, x) -> list[Problem]:
    problems = expect_rank(x[0], (2,), "sequence x features")
    if p["dropout"] > 0 and p["num_layers"] == 1:
        problems.append(
            Problem(
                "{layer}: dropout applies between stacked layers; with one layer it does nothing",
                severity="warning",
            )
        )
    return problems


for kind, name, cell_state, help_text in (
    ("rnn", "RNN", False, "Elman recurrent layer (nn.RNN)."),
    ("lstm", "LSTM", True, "Long short-term memory layer (nn.LSTM)."),
    ("gru", "GRU", False, "Gated recurrent unit layer (nn.GRU)."),
):
    register(
        LayerSpec(
            kind=kind,
            name=name,
            category="Recurrent",
            help=help_text,
            params=recurrent_params(kind == "rnn"),
            module=f"nn.{name}",
            arguments=recurrent_arguments,
            positional=2,
            torch_defaults=RECURRENT_DEFAULTS,
            forward=recurrent_forward(cell_state),
            check=recurrent_check,
            per_step=True,
        )
    )
