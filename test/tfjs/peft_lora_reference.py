#!/usr/bin/python3
"""Test helper: the PEFT side of the LoRA round trip, in plain PyTorch (no peft/transformers/safetensors needed).

  make-adapter BASE OUT R ALPHA TARGETS SEED RSLORA  writes a PEFT LoRA adapter directory for BASE (random A and B)
  logits BASE ADAPTER IDS_JSON                          prints {"logits": [...]} of BASE with ADAPTER (unmerged)

The decoder is written from the Llama / Qwen2 / Qwen3 definitions (RMSNorm, RoPE rotate_half, GQA, SwiGLU, Qwen2 q/k/v
biases, Qwen3 q/k norm, tied embeddings); adapters follow PEFT's LoraLayer: y = x W^T + b + s (x A^T) B^T with
s = alpha / r (alpha / sqrt(r) with use_rslora) and tensor keys base_model.model.<module>.lora_{A,B}.weight.
"""
import json
import math
import os
import struct
import sys

import torch

PREFIX = "base_model.model."
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
        out[name] = t.float()
    return out


def write_safetensors(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def dims(cfg):
    hd = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    d, q, kv, ffn = cfg["hidden_size"], cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd, cfg["intermediate_size"]
    return hd, {"q_proj": (d, q), "k_proj": (d, kv), "v_proj": (d, kv), "o_proj": (q, d), "gate_proj": (d, ffn), "up_proj": (d, ffn), "down_proj": (ffn, d)}


def module(layer, target):
    return f"model.layers.{layer}.{'mlp' if target in ('gate_proj', 'up_proj', 'down_proj') else 'self_attn'}.{target}"


def make_adapter(base, out, r, alpha, targets, seed, rslora):
    cfg = json.load(open(os.path.join(base, "config.json")))
    _, io = dims(cfg)
    g = torch.Generator().manual_seed(seed)
    tensors = {}
    for layer in range(cfg["num_hidden_layers"]):
        for t in targets:
            fan_in, fan_out = io[t]
            tensors[f"{PREFIX}{module(layer, t)}.lora_A.weight"] = (torch.rand(r, fan_in, generator=g) * 2 - 1) / math.sqrt(fan_in)
            tensors[f"{PREFIX}{module(layer, t)}.lora_B.weight"] = torch.randn(fan_out, r, generator=g) * 0.05
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "adapter_model.safetensors"), tensors)
    config = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": os.path.abspath(base), "r": r,
              "lora_alpha": alpha, "lora_dropout": 0.05, "target_modules": targets, "bias": "none", "use_rslora": rslora,
              "use_dora": False, "modules_to_save": None, "fan_in_fan_out": False, "inference_mode": True,
              "init_lora_weights": True, "layers_to_transform": None, "rank_pattern": {}, "alpha_pattern": {}, "revision": None}
    json.dump(config, open(os.path.join(out, "adapter_config.json"), "w"), indent=2)


def logits(base, adapter, ids):
    cfg = json.load(open(os.path.join(base, "config.json")))
    w = read_safetensors(os.path.join(base, "model.safetensors"))
    acfg = json.load(open(os.path.join(adapter, "adapter_config.json")))
    assert acfg["peft_type"] == "LORA" and not acfg.get("use_dora") and not acfg.get("modules_to_save")
    lora = {k[len(PREFIX):]: v for k, v in read_safetensors(os.path.join(adapter, "adapter_model.safetensors")).items()}
    r = acfg["r"]
    s = acfg["lora_alpha"] / (math.sqrt(r) if acfg.get("use_rslora") else r)
    hd, _ = dims(cfg)
    eps = cfg["rms_norm_eps"]
    theta = (cfg.get("rope_parameters") or {}).get("rope_theta", cfg.get("rope_theta", 10000.0))
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]

    def linear(x, name):
        y = x @ w[name + ".weight"].T
        if name + ".bias" in w:
            y = y + w[name + ".bias"]
        if name + ".lora_A.weight" in lora:
            y = y + s * ((x @ lora[name + ".lora_A.weight"].T) @ lora[name + ".lora_B.weight"].T)
        return y

    def rms(x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * g

    def rot(x):
        a, b = x.chunk(2, dim=-1)
        return torch.cat([-b, a], dim=-1)

    x_ids = torch.tensor(ids)
    B, T = x_ids.shape
    inv = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd)
    ang = torch.outer(torch.arange(T, dtype=torch.float32), inv).repeat(1, 2)
    cos, sin = ang.cos()[None, None], ang.sin()[None, None]
    causal = torch.full((T, T), float("-inf")).triu(1)
    h = w["model.embed_tokens.weight"][x_ids]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        x = rms(h, w[p + "input_layernorm.weight"])
        q = linear(x, p + "self_attn.q_proj").view(B, T, H, hd).transpose(1, 2)
        k = linear(x, p + "self_attn.k_proj").view(B, T, KV, hd).transpose(1, 2)
        v = linear(x, p + "self_attn.v_proj").view(B, T, KV, hd).transpose(1, 2)
        if p + "self_attn.q_norm.weight" in w:
            q, k = rms(q, w[p + "self_attn.q_norm.weight"]), rms(k, w[p + "self_attn.k_norm.weight"])
        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        k, v = k.repeat_interleave(H // KV, 1), v.repeat_interleave(H // KV, 1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + causal, -1) @ v
        h = h + linear(att.transpose(1, 2).reshape(B, T, H * hd), p + "self_attn.o_proj")
        x = rms(h, w[p + "post_attention_layernorm.weight"])
        gate, up = linear(x, p + "mlp.gate_proj"), linear(x, p + "mlp.up_proj")
        h = h + linear(torch.nn.functional.silu(gate) * up, p + "mlp.down_proj")
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    out = rms(h, w["model.norm.weight"]) @ head.T
    print(json.dumps({"logits": out.reshape(-1).tolist()}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make-adapter":
        base, out, r, alpha, targets, seed, rslora = sys.argv[2:9]
        make_adapter(base, out, int(r), float(alpha), targets.split(","), int(seed), rslora == "true")
    elif cmd == "logits":
        logits(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
    else:
        sys.exit(f"unknown command {cmd}")
