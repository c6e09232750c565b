#!/usr/bin/python3
"""Writes tests/fuzz/corpus/unpickle_fuzzer: pickles CPython makes, at every
protocol, of the plain-data values (and the refused objects) that
tests/unit/data/gen_pickle_vectors.py lists. Run with Debian's interpreter:

    /usr/bin/python3 tests/fuzz/make_pickle_corpus.py
"""
import os
import pickle
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "unit", "data"))
import gen_pickle_vectors  # noqa: E402

MAX_SEED = 4096  # bytes; bigger pickles only slow the fuzzer down


def main():
    out = os.path.join(HERE, "corpus", "unpickle_fuzzer")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    seeds = [(name, v) for name, v in gen_pickle_vectors.values()]
    seeds += [(name, v) for name, v, _ in gen_pickle_vectors.refused()]
    written = 0
    for name, v in seeds:
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            try:
                p = pickle.dumps(v, proto)
            except Exception:
                continue
            if len(p) > MAX_SEED:
                continue
            with open(os.path.join(out, "%s_p%d" % (name, proto)), "wb") as f:
                f.write(p)
            written += 1
    print("%d seeds in %s" % (written, out))


if __name__ == "__main__":
    main()
