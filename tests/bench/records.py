"""Hand-written results and run records (synthetic numbers, not measured) for the harness tests."""

from paycore.bench.harness import Result


def result(name, rate, *, group="g", params=None, bytes_per_op=None, low=None, high=None):
    """A Result whose every repeat gave ``rate`` (or spanned ``low``..``high``)."""
    low, high = low or rate, high or rate
    return Result(
        name=name,
        group=group,
        params=params or {},
        loops=10,
        repeats=3,
        median_ops=rate,
        min_ops=low,
        max_ops=high,
        rel_iqr=(high - low) / rate,
        samples=[low, rate, high],
        bytes_per_op=bytes_per_op,
    )


def record(suites, mode="full"):
    """A run record in the format the runner writes, around the given suite entries."""
    return {
        "format": "paycore-bench/1",
        "mode": mode,
        "settings": {"min_time": 0.25, "repeats": 7},
        "machine": {
            "date": "2026-11-27T17:00:00+00:00",
            "platform": "Linux-test",
            "machine": "x86_64",
            "cpu": "Test CPU 9000",
            "cpu_mhz": "3000",
            "cpu_has_aes": True,
            "cores": 2,
            "python": "3.11.7",
            "python_implementation": "CPython",
            "openssl_in_cryptography": "OpenSSL 9.9.9",
            "openssl_command": "OpenSSL 3.0.19",
            "gmp": "GMP 6.3.0",
            "packages": {"paycore": "0.1.0", "rsa": None},
            "command": "paycore bench --out x",
            "load_average": [0.5, 0.4, 0.3],
        },
        "run": {
            "started": "2026-11-27T17:00:00+00:00",
            "finished": "2026-11-27T17:08:20+00:00",
            "duration_seconds": 500.0,
            "load_average_start": [1.25, 1.0, 0.75],
            "load_average_end": [1.5, 1.1, 0.8],
        },
        "suites": suites,
    }
