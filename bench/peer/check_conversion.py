#!/usr/bin/env python3
"""Checks hf_to_openai_clip.py: CLIP-ES's model, loaded from the converted .pt by CLIP-ES's own clip.load, gives
the image and text embeddings that the Hugging Face-layout reference gives, on the inputs the reference folder
holds (shared/perf/clip_ref.py writes reference/pixel_values.npy, input_ids.npy, image_embeds.npy,
image_last_hidden_state.npy, text_embeds.npy).

Image side: CLIP-ES's encode_image (its trunk: all blocks but the last, position embeddings through its
upsample_pos_emb at the native grid, which is the identity there), then its last block, ln_post, the class
token, times visual.proj, as OpenAI's CLIP pools (the reference pools the class token too; CLIP-ES's
forward_last_layer pools the mean of the patch tokens instead, compared here by hand from the same states).
Text side: CLIP-ES's encode_text.

Usage: check_conversion.py CLIP_ES_DIR MODEL_DIR CONVERTED.pt [--tol 1e-4]
Exit status 1 when a difference exceeds the tolerance.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_es_runtime import load_clip_es  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clip_es_dir")
    ap.add_argument("model_dir")
    ap.add_argument("converted")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    _, clip, notes = load_clip_es(a.clip_es_dir, fp16_rounding=False)
    for n in notes:
        print("#", n)
    model, _ = clip.load(a.converted, device="cpu")
    ref = lambda n: np.load(os.path.join(a.model_dir, "reference", n + ".npy"))  # noqa: E731
    px = torch.from_numpy(ref("pixel_values"))[:1]  # one input, as asked
    ids = torch.from_numpy(ref("input_ids")).long()
    h, w = px.shape[-2:]
    worst = 0.0
    with torch.no_grad():
        x, _ = model.encode_image(px, h, w)                  # LND after L-1 blocks
        x, _ = model.visual.transformer.resblocks[-1](x)     # the last block
        hidden = x.permute(1, 0, 2)                           # NLD, before ln_post
        post = model.visual.ln_post(hidden)
        img = post[:, 0, :] @ model.visual.proj
        txt = model.encode_text(ids)
    rows = [("image embedding (class token)", img, ref("image_embeds")[:1]),
            ("image last hidden state", hidden, ref("image_last_hidden_state")[:1]),
            ("text embeddings (3 prompts)", txt, ref("text_embeds"))]
    for name, got, want in rows:
        got = got.numpy()
        d = float(np.abs(got - want).max())
        scale = float(np.abs(want).max())
        worst = max(worst, d)
        print(f"{name}: max |diff| {d:.3g} (largest |value| {scale:.3g}, relative {d / scale:.3g})")
    ok = worst <= a.tol
    print(f"{'OK' if ok else 'FAILED'}: worst {worst:.3g} {'<=' if ok else '>'} {a.tol}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
