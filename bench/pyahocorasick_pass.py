"""The peer of the lexicon pass: pyahocorasick over the same corpus and terms, leftmost-longest
(iter_long). Prints the same fields as bench_check's lexicon_pass line."""
import sys
import time

import ahocorasick

corpus_path, terms_path = sys.argv[1], sys.argv[2]
text = open(corpus_path, encoding="utf-8").read()
terms = [t for t in open(terms_path, encoding="utf-8").read().split("\n") if t]
automaton = ahocorasick.Automaton()
for t in terms:
    automaton.add_word(t, len(t))
automaton.make_automaton()
size = len(text.encode("utf-8")) / (1 << 20)
best = float("inf")
count = 0
for _ in range(3):
    start = time.perf_counter()
    count = sum(1 for _ in automaton.iter_long(text))
    best = min(best, time.perf_counter() - start)
print(f"pyahocorasick matches={count} seconds={best:.3f} mb_per_s={size / best:.1f}")

# pyahocorasick's iter_long is known to drop some leftmost-longest matches (upstream issues
# #133, #185, #189; fix pending in PR #224). To check that we compute the same thing, derive the
# true leftmost-longest matches from its overlapping iter() output and count those too.
spans = sorted(((end - n + 1, -n) for end, n in automaton.iter(text)))
pos, reference = 0, 0
for start, neg in spans:
    if start >= pos:
        reference += 1
        pos = start - neg
print(f"pyahocorasick_reference matches={reference}")
