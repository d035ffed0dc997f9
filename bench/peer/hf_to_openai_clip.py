#!/usr/bin/env python3
"""Hugging Face CLIPModel weights (model.safetensors + config.json) -> an OpenAI CLIP state_dict (.pt).

The .pt is what OpenAI's clip.load / build_model accept (and so CLIP-ES's copy of them, which reads a state_dict
from a file path). Only ViT image towers. Names written:

  visual.conv1.weight, visual.class_embedding, visual.positional_embedding, visual.ln_pre.*,
  visual.transformer.resblocks.N.{attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.*, ln_1.*, mlp.c_fc.*,
  mlp.c_proj.*, ln_2.*}, visual.ln_post.*, visual.proj (= visual_projection.weight transposed),
  token_embedding.weight, positional_embedding, transformer.resblocks.N.*, ln_final.*, text_projection
  (= text_projection.weight transposed), logit_scale, input_resolution, context_length, vocab_size.

in_proj_weight is q_proj, k_proj, v_proj stacked (rows), as nn.MultiheadAttention holds them; Hugging Face's
attention scales q by head_dim^-0.5 after the projection (bias included), as nn.MultiheadAttention does, so the
weights carry over unchanged. OpenAI's build_model infers the number of heads as width // 64: the conversion
refuses a model whose heads differ from that (e.g. shared/perf/clip_ref.py's "odd" or "tiny" configs).

Usage: hf_to_openai_clip.py MODEL_DIR OUT.pt [--dtype float32|float16]
Needs torch and safetensors (pip install torch==2.13.0+cpu safetensors).
"""
import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file


def convert(model_dir, dtype=torch.float32):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    v, t = cfg["vision_config"], cfg["text_config"]
    for name, tower in (("vision", v), ("text", t)):
        if tower["hidden_size"] // 64 != tower["num_attention_heads"]:
            raise SystemExit(f"{name} tower: {tower['num_attention_heads']} heads, but OpenAI's build_model infers "
                             f"width // 64 = {tower['hidden_size'] // 64}; this model cannot be loaded by clip.load")
    hf = load_file(os.path.join(model_dir, "model.safetensors"))
    used = set()

    def take(name):
        used.add(name)
        return hf[name].to(dtype)

    sd = {}

    def layers(src, dst, n):
        for i in range(n):
            s, d = f"{src}.encoder.layers.{i}", f"{dst}.resblocks.{i}"
            sd[f"{d}.attn.in_proj_weight"] = torch.cat([take(f"{s}.self_attn.{p}_proj.weight") for p in "qkv"], 0)
            sd[f"{d}.attn.in_proj_bias"] = torch.cat([take(f"{s}.self_attn.{p}_proj.bias") for p in "qkv"], 0)
            for a, b in (("self_attn.out_proj", "attn.out_proj"), ("layer_norm1", "ln_1"), ("mlp.fc1", "mlp.c_fc"),
                         ("mlp.fc2", "mlp.c_proj"), ("layer_norm2", "ln_2")):
                sd[f"{d}.{b}.weight"] = take(f"{s}.{a}.weight")
                sd[f"{d}.{b}.bias"] = take(f"{s}.{a}.bias")

    vm = "vision_model"
    sd["visual.conv1.weight"] = take(f"{vm}.embeddings.patch_embedding.weight")
    sd["visual.class_embedding"] = take(f"{vm}.embeddings.class_embedding")
    sd["visual.positional_embedding"] = take(f"{vm}.embeddings.position_embedding.weight")
    for a, b in (("pre_layrnorm", "ln_pre"), ("post_layernorm", "ln_post")):
        sd[f"visual.{b}.weight"] = take(f"{vm}.{a}.weight")
        sd[f"visual.{b}.bias"] = take(f"{vm}.{a}.bias")
    layers(vm, "visual.transformer", v["num_hidden_layers"])
    sd["visual.proj"] = take("visual_projection.weight").t().contiguous()

    tm = "text_model"
    sd["token_embedding.weight"] = take(f"{tm}.embeddings.token_embedding.weight")
    sd["positional_embedding"] = take(f"{tm}.embeddings.position_embedding.weight")
    layers(tm, "transformer", t["num_hidden_layers"])
    sd["ln_final.weight"] = take(f"{tm}.final_layer_norm.weight")
    sd["ln_final.bias"] = take(f"{tm}.final_layer_norm.bias")
    sd["text_projection"] = take("text_projection.weight").t().contiguous()
    sd["logit_scale"] = take("logit_scale").reshape(())

    sd["input_resolution"] = torch.tensor(v["image_size"])
    sd["context_length"] = torch.tensor(sd["positional_embedding"].shape[0])
    sd["vocab_size"] = torch.tensor(sd["token_embedding.weight"].shape[0])
    left = sorted(k for k in hf if k not in used and not k.endswith("position_ids"))
    if left:
        raise SystemExit(f"unconverted tensors: {left}")
    return sd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("out")
    ap.add_argument("--dtype", choices=["float32", "float16"], default="float32")
    a = ap.parse_args()
    sd = convert(a.model_dir, getattr(torch, a.dtype))
    tmp = a.out + ".tmp"
    torch.save(sd, tmp)
    os.replace(tmp, a.out)
    print(f"wrote {a.out}: {len(sd)} tensors", file=sys.stderr)


if __name__ == "__main__":
    main()
