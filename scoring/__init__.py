"""Scoring engine for government-openness assessment (政务公开考评).

Three lines from Python::

    from scoring import load_scheme, load_data, score
    scheme = load_scheme("criteria/gov_openness_2021.yaml")
    result = score(scheme, load_data("sample_inputs", "2021Q4", scheme), "2021Q4")
"""

__version__ = "0.1.0"
PRODUCER = "政务公开考评工具"  # the author of every workbook the tool writes: never read back as data

# Heavy imports (pandas) stay lazy so `score --help` starts fast.
def __getattr__(name: str):
    if name == "load_scheme":
        from scoring.scheme.loader import load_scheme

        return load_scheme
    if name == "load_data":
        from scoring.data.load import load_data

        return load_data
    if name == "score":
        from scoring.engine import score

        return score
    raise AttributeError(name)


__all__ = ["__version__", "load_scheme", "load_data", "score"]
