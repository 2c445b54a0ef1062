"""Reference position embeddings and logits of a ViT at non-training sizes, from torchvision (Debian's 0.14).

embeddings: a 7x7 grid of 4-channel embeddings given by a formula (see stored()), resampled by torchvision's
interpolate_embeddings to 160 and 288 px at patch 32, and to a 5x9 grid with the same bicubic, align_corners=True
call that the LOST code's non-square copy makes. Prints JSON; its output is checked in as
vit_position_embeddings_torchvision.json for machines without Python.

logits STATE_JSON: a torchvision VisionTransformer (224 px, patch 32) loaded from the state dict in STATE_JSON
(name -> {shape, data}), its embeddings resampled by interpolate_embeddings, run on a formula image (see image())
at 160 and 288 px. Prints JSON {size: logits}.
"""
import json
import math
import sys
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torchvision.models.vision_transformer import VisionTransformer, interpolate_embeddings

GRID, HIDDEN, PATCH = 7, 4, 32


def stored():
    tokens = 1 + GRID * GRID
    values = [[math.sin(0.37 * t + 1.3 * c) + 0.1 * c for c in range(HIDDEN)] for t in range(tokens)]
    return torch.tensor(values, dtype=torch.float64).float().unsqueeze(0)


def image(size):
    n = 3 * size * size
    return torch.tensor([math.sin(0.05 * i) for i in range(n)], dtype=torch.float64).float().reshape(1, 3, size, size)


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def embeddings():
    out = {}
    for size in (160, 288):
        state = interpolate_embeddings(size, PATCH, OrderedDict([("encoder.pos_embedding", stored())]))
        out[str(size)] = flat(state["encoder.pos_embedding"])
    pos = stored()
    grid = pos[:, 1:, :].permute(0, 2, 1).reshape(1, HIDDEN, GRID, GRID)
    resampled = F.interpolate(grid, size=(5, 9), mode="bicubic", align_corners=True)
    out["5x9"] = flat(torch.cat([pos[:, :1, :], resampled.reshape(1, HIDDEN, 45).permute(0, 2, 1)], dim=1))
    return out


def logits(path):
    with open(path) as f:
        raw = json.load(f)
    state = OrderedDict((k, torch.tensor(v["data"], dtype=torch.float32).reshape(v["shape"])) for k, v in raw["state"].items())
    geometry = raw["geometry"]
    out = {}
    for size in (160, 288):
        model = VisionTransformer(image_size=size, **geometry)
        model.load_state_dict(interpolate_embeddings(size, geometry["patch_size"], OrderedDict(state)))
        model.eval()
        with torch.no_grad():
            out[str(size)] = flat(model(image(size)))
    return out


if __name__ == "__main__":
    torch.set_num_threads(1)
    result = embeddings() if sys.argv[1] == "embeddings" else logits(sys.argv[2])
    json.dump(result, sys.stdout)
