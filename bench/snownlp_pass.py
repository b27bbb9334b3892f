"""The peer for the monitor's sentiment: snownlp (MIT), the usual Python choice for Chinese
sentiment. Scores every line of the file and prints items per second.
Usage: snownlp_pass.py items.txt"""
import sys
import time

from snownlp import SnowNLP

lines = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
SnowNLP("预热").sentiments  # loads its model outside the timing
start = time.perf_counter()
negative = sum(1 for l in lines if SnowNLP(l).sentiments < 0.5)
secs = time.perf_counter() - start
print(f"snownlp items={len(lines)} seconds={secs:.2f} items_per_s={len(lines) / secs:.0f} negative={negative}")
