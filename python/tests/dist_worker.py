"""One rank of the two-process gloo run of test_torch.py: streams samples 0..N-1 through a
DataLoader with 2 workers and sends what it saw to rank 0, which writes it as JSON.

Usage (env RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set): dist_worker.py N BATCH OUT.json
"""

import hashlib
import json
import sys

import torch.distributed as dist
from torch.utils.data import DataLoader

from searchtrace.torch import SampleStream


def main():
    count, batch_size, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    stream = SampleStream("G15_2_4", stop=count, batch_size=batch_size, seed=3)
    seen = {}
    for batch in DataLoader(stream, batch_size=None, num_workers=2):
        for row, index in enumerate(batch["index"].tolist()):
            ids = batch["input_ids"][row, :batch["lengths"][row]].numpy().astype("<u2")
            assert index not in seen, f"rank {rank} saw sample {index} twice"
            seen[index] = hashlib.sha256(ids.tobytes()).hexdigest()
    everything = [None] * dist.get_world_size()
    dist.all_gather_object(everything, seen)
    if rank == 0:
        with open(out, "w") as f:
            json.dump([{str(k): v for k, v in part.items()} for part in everything], f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
