#!/usr/bin/python3
"""One REINFORCE++ step on a mappa-rl batch, in plain PyTorch: the reference external trainer.

mappa's `trainer: { use: external }` calls this once per step and policy:

    python3 reinforce_pp.py --meta BATCH/meta.json --weights CURRENT_HF_DIR --out NEW_HF_DIR

It reads the batch (records JSONL + MappaRlBatchMeta JSON, see core/model/MappaRlRecord.ts), loads the current
weights (a Hugging Face Llama / Qwen2 / Qwen3 checkpoint: config.json + model.safetensors), runs the same update as
mappa's in-process `reinforce++` trainer (docs/trainers.md) with the settings in `meta["trainer"]`, and writes a new
checkpoint (config.json and tokenizer files copied, model.safetensors in float32) to --out. Adam moments and the
frozen reference weights live in `meta["state_dir"]` between steps. A test (test/trainers/externalParity.test.ts)
checks that the weights it writes equal mappa's tfjs step to 1e-4.

Needs only PyTorch (Debian's python3-torch 1.13 works) and numpy; safetensors are read and written by hand.

Adapting it to a real trainer (TRL, OpenRLHF, verl): keep `read_batch` and `write_checkpoint`, and replace the
middle by your framework's step. Each record is already one training sample: `context_ids` is the prompt,
`action_ids` the response, `reward` the scalar reward to put on the last response token, `group_id` the GRPO
group. The pieces to map:
  - OpenRLHF: `advantage_estimator=reinforce`, `init_kl_coef`=klCoef (k1 in the reward), `eps_clip`=clipEps,
    Adam betas (0.9, 0.95), `max_norm`=maxGradNorm, token-level loss: this script is that algorithm.
  - verl: `algorithm.adv_estimator=reinforce_plus_plus`, `use_kl_in_reward=True`, `kl_penalty=kl`; verl whitens with
    the unbiased variance and resets returns at mask-0 tokens (irrelevant here: one action per sample).
  - TRL: no REINFORCE++ trainer; subclass GRPOTrainer's `_compute_loss` or use this loop with its model loading.
A LoRA trainer writes a PEFT adapter directory (adapter_config.json + adapter_model.safetensors) instead of a full
checkpoint; mappa pushes either to the server.
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys
import time

import numpy as np
import torch

# ----------------------------------------------------------------------------------------------------------------
# safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, raw data.

_NP = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    """name -> float32 torch tensor (bf16/f16/f64 are converted), plus the header's __metadata__."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        raw = data[a:b]
        if e["dtype"] == "BF16":  # bf16 is the upper half of a float32
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif e["dtype"] in _NP:
            arr = np.frombuffer(raw, dtype=np.dtype(_NP[e["dtype"]]).newbyteorder("<")).astype(np.float32)
        else:
            sys.exit(f"{path}: tensor {name} has unsupported dtype {e['dtype']}")
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).copy())
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    """Writes float32 tensors atomically (temporary file, then rename)."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        arr = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4")
        raw = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)  # keep the data 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def read_weights(d):
    """Weights of a checkpoint directory: model.safetensors, or the shards listed in model.safetensors.index.json."""
    single = os.path.join(d, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)[0]
    index = os.path.join(d, "model.safetensors.index.json")
    if not os.path.exists(index):
        sys.exit(f"{d}: no model.safetensors or model.safetensors.index.json (expected a Hugging Face checkpoint)")
    with open(index) as f:
        shards = sorted(set(json.load(f)["weight_map"].values()))
    out = {}
    for s in shards:
        out.update(read_safetensors(os.path.join(d, s))[0])
    return out


# ----------------------------------------------------------------------------------------------------------------
# The decoder, as mappa's TransformerModel (and transformers' Llama/Qwen2/Qwen3): RMSNorm, RoPE in the rotate_half
# layout (default, linear, llama3 scaling), grouped-query attention, SwiGLU, Qwen2 q/k/v biases, Qwen3 q/k RMSNorm,
# tied or untied embeddings. Weights stay in a dict keyed by Hugging Face names, so saving needs no renaming.

class Config:
    def __init__(self, raw):
        mt = raw.get("model_type")
        if mt not in ("llama", "qwen2", "qwen3"):
            sys.exit(f"config.json: model_type {mt!r} is not supported (llama, qwen2, qwen3)")
        self.model_type = mt
        self.vocab = raw["vocab_size"]
        self.d = raw["hidden_size"]
        self.layers = raw["num_hidden_layers"]
        self.heads = raw["num_attention_heads"]
        self.kv_heads = raw.get("num_key_value_heads") or self.heads
        self.head_dim = raw.get("head_dim") or self.d // self.heads
        self.eps = raw.get("rms_norm_eps", 1e-6)
        self.tied = raw.get("tie_word_embeddings") is True
        bias = raw.get("attention_bias") is True
        self.qkv_bias = True if mt == "qwen2" else bias
        self.o_bias = False if mt == "qwen2" else bias
        self.mlp_bias = raw.get("mlp_bias") is True
        self.qk_norm = mt == "qwen3"
        rope = raw.get("rope_parameters") or raw.get("rope_scaling") or {}
        self.theta = float(rope.get("rope_theta", raw.get("rope_theta", 10000.0)))
        self.rope_type = rope.get("rope_type", rope.get("type", "default"))
        self.rope = rope
        self.dtype = str(raw.get("dtype", raw.get("torch_dtype", "float32")))


def rope_inv_freq(c):
    hd = c.head_dim
    inv = 1.0 / (c.theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    factor = c.rope.get("factor", 1.0)
    if c.rope_type == "linear":
        inv = inv / factor
    elif c.rope_type == "llama3":
        low, high = c.rope.get("low_freq_factor", 1.0), c.rope.get("high_freq_factor", 4.0)
        old = c.rope.get("original_max_position_embeddings", 8192)
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > old / low, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        mid = ~(wavelen < old / high) & ~(wavelen > old / low)
        inv = torch.where(mid, (1 - smooth) * scaled / factor + smooth * scaled, scaled)
    elif c.rope_type != "default":
        sys.exit(f"config.json: rope_type {c.rope_type!r} is not supported (default, linear, llama3)")
    # transformers casts the rotary buffer with a half-precision model; mappa does the same from config `dtype`.
    if c.dtype in ("bfloat16", "float16"):
        inv = inv.to(getattr(torch, c.dtype)).to(torch.float32)
    return inv


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def rms(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def forward(c, W, ids, attn):
    """Logits [B, T, V] for right-padded ids [B, T] with attention mask [B, T] (1 = token)."""
    B, T = ids.shape
    H, KV, hd = c.heads, c.kv_heads, c.head_dim
    ang = torch.outer(torch.arange(T, dtype=torch.float32), rope_inv_freq(c)).repeat(1, 2)
    cos, sin = ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]
    # Additive mask as mappa's (finite, so fully padded rows stay finite): causal + padded keys.
    causal = torch.triu(torch.full((T, T), -1e9), diagonal=1)
    mask = causal[None, None] + (1 - attn.float())[:, None, None, :] * -1e9  # [B, 1, T, T]

    def lin(x, name):
        y = x @ W[name + ".weight"].t()
        b = W.get(name + ".bias")
        return y + b if b is not None else y

    h = W["model.embed_tokens.weight"][ids]
    for l in range(c.layers):
        p = f"model.layers.{l}."
        x = rms(h, W[p + "input_layernorm.weight"], c.eps)
        q = lin(x, p + "self_attn.q_proj").view(B, T, H, hd)
        k = lin(x, p + "self_attn.k_proj").view(B, T, KV, hd)
        v = lin(x, p + "self_attn.v_proj").view(B, T, KV, hd)
        if c.qk_norm:
            q = rms(q, W[p + "self_attn.q_norm.weight"], c.eps)
            k = rms(k, W[p + "self_attn.k_norm.weight"], c.eps)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # [B, heads, T, hd]
        if H > KV:  # query head i reads KV head i // (H / KV)
            k, v = k.repeat_interleave(H // KV, dim=1), v.repeat_interleave(H // KV, dim=1)
        att = ((q @ k.transpose(-2, -1)) / math.sqrt(hd) + mask).softmax(-1) @ v
        h = h + lin(att.transpose(1, 2).reshape(B, T, H * hd), p + "self_attn.o_proj")
        x2 = rms(h, W[p + "post_attention_layernorm.weight"], c.eps)
        gate, up = lin(x2, p + "mlp.gate_proj"), lin(x2, p + "mlp.up_proj")
        h = h + lin(torch.nn.functional.silu(gate) * up, p + "mlp.down_proj")
    head = W["model.embed_tokens.weight"] if c.tied else W["lm_head.weight"]
    return rms(h, W["model.norm.weight"], c.eps) @ head.t()


def action_logprobs(c, W, rows, with_entropy=False):
    """Per row, log p(action token j | context, action[:j]) (and the next-token entropy there), one padded batch.
    The model reads context ++ action[:-1]; the logits at position len(context)-1+j score action token j."""
    L = max(len(r["context_ids"]) + len(r["action_ids"]) - 1 for r in rows)
    ids = torch.zeros(len(rows), L, dtype=torch.long)
    attn = torch.zeros(len(rows), L)
    for i, r in enumerate(rows):
        seq = r["context_ids"] + r["action_ids"]
        ids[i, : len(seq) - 1] = torch.tensor(seq[:-1])
        attn[i, : len(seq) - 1] = 1
    logp_all = forward(c, W, ids, attn).log_softmax(-1)
    out, ent = [], []
    for i, r in enumerate(rows):
        s, n = len(r["context_ids"]) - 1, len(r["action_ids"])
        lp = logp_all[i, s : s + n]
        out.append(lp.gather(-1, torch.tensor(r["action_ids"])[:, None]).squeeze(-1))
        if with_entropy:
            ent.append(-(lp.exp() * lp).sum(-1))
    return out, ent


# ----------------------------------------------------------------------------------------------------------------
# Advantages, on plain float64 arrays (mappa's plugins/trainers/math: approxKl, tokenRewards, returnsToGo, whiten).

def approx_kl(lp, ref, est):
    d = lp - ref
    k = d if est == "k1" else d * d / 2 if est == "k2" else np.exp(-d) - 1 + d
    return np.clip(k, -10, 10)


def reinforce_advantages(rows, kl_coef, gamma, reward_clip, est):
    """k1 KL in the reward, clipped reward on the last action token, return-to-go, whitening (biased var, 1e-8)."""
    returns = []
    for r in rows:
        kl = approx_kl(r["old"], r["ref"] if r["ref"] is not None else r["old"], est)
        rew = -kl_coef * kl if kl_coef > 0 else np.zeros_like(kl)
        rew[-1] += min(reward_clip, max(-reward_clip, r["shaped"]))
        g, ret = 0.0, np.zeros_like(rew)
        for t in range(len(rew) - 1, -1, -1):
            g = rew[t] + gamma * g
            ret[t] = g
        returns.append(ret)
    flat = np.concatenate(returns)
    mu = flat.mean()
    rstd = 1 / math.sqrt(max(((flat - mu) ** 2).mean(), 1e-8))
    return [(ret - mu) * rstd for ret in returns]


def group_centred(rewards, groups):
    """REINFORCE++-baseline: r minus the mean reward of its group (mappa's grpoAdvantages with scaleByStd false)."""
    sums = {}
    for r, g in zip(rewards, groups):
        s = sums.setdefault(g, [0.0, 0])
        s[0] += r
        s[1] += 1
    return [0.0 if sums[g][1] < 2 else r - sums[g][0] / sums[g][1] for r, g in zip(rewards, groups)]


def agg_weights(rows, mode, scale):
    """Per-token loss weights over the whole mini-batch (so micro-batch gradients sum to the mini-batch's)."""
    if mode == "token-mean":
        n = sum(len(r["action_ids"]) for r in rows)
        return [np.full(len(r["action_ids"]), 1 / n) for r in rows]
    if mode == "seq-mean-token-mean":
        return [np.full(len(r["action_ids"]), 1 / (len(r["action_ids"]) * len(rows))) for r in rows]
    if mode == "seq-mean-token-sum-norm":
        return [np.full(len(r["action_ids"]), 1 / scale) for r in rows]
    sys.exit(f"aggregation {mode!r} is not supported")


def learning_rate(base, sched, k, total):
    """mappa's schedule (learningRate.ts): warm-up from lr/W, then constant or cosine down to minLrRatio."""
    warm = sched.get("warmupSteps")
    if warm is None:
        warm = math.ceil(sched.get("warmupRatio", 0.03) * max(0, total))
    if k < warm:
        return base * (k + 1) / warm
    if sched.get("type", "cosine") == "constant":
        return base
    p = min(1.0, max(0.0, (k - warm) / max(1, total - warm)))
    f = sched.get("minLrRatio", 0.1)
    return base * (f + (1 - f) * 0.5 * (1 + math.cos(math.pi * p)))


# ----------------------------------------------------------------------------------------------------------------
# Batch and state I/O.

def read_batch(meta_path):
    with open(meta_path) as f:
        meta = json.load(f)
    if meta.get("format") != "mappa-rl-batch":
        sys.exit(f"{meta_path}: not a mappa-rl-batch meta file (format {meta.get('format')!r})")
    records = []
    with open(os.path.join(os.path.dirname(os.path.abspath(meta_path)), meta["records"])) as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))
    return meta, records


def load_state(state_dir, weights):
    """Adam moments + step and the reference weights kept between steps; the reference is created on first use."""
    st_file = os.path.join(state_dir, "state.json")
    if not os.path.exists(st_file):
        return {"optimizer_step": 0, "last_step": 0}, {}, None
    with open(st_file) as f:
        st = json.load(f)
    moments = read_safetensors(os.path.join(state_dir, "optimizer.safetensors"))[0] if st["optimizer_step"] > 0 else {}
    ref_file = os.path.join(state_dir, "reference.safetensors")
    ref = read_safetensors(ref_file)[0] if os.path.exists(ref_file) else None
    return st, moments, ref


def save_state(state_dir, st, moments, ref):
    os.makedirs(state_dir, exist_ok=True)
    if moments:
        write_safetensors(os.path.join(state_dir, "optimizer.safetensors"), moments)
    if ref is not None and not os.path.exists(os.path.join(state_dir, "reference.safetensors")):
        write_safetensors(os.path.join(state_dir, "reference.safetensors"), ref)
    tmp = os.path.join(state_dir, "state.json.tmp")
    with open(tmp, "w") as f:
        json.dump(st, f, indent=2)
    os.replace(tmp, os.path.join(state_dir, "state.json"))  # last, so a crash before it leaves the old step


def write_checkpoint(src, out, weights, config_raw, extra):
    """config.json (dtype now float32) and tokenizer files copied from the input checkpoint, float32 weights."""
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(src):
        full = os.path.join(src, name)
        if os.path.isfile(full) and not name.startswith("model.safetensors") and not name.startswith("mappa_"):
            if name.endswith((".json", ".jinja", ".txt", ".model")) and name != "config.json":
                shutil.copyfile(full, os.path.join(out, name))
    cfg = dict(config_raw, dtype="float32", torch_dtype="float32")
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    write_safetensors(os.path.join(out, "model.safetensors"), weights, {"format": "pt"})
    with open(os.path.join(out, "mappa_trainer.json"), "w") as f:
        json.dump(extra, f, indent=2)


# ----------------------------------------------------------------------------------------------------------------
# The step.

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--meta", required=True, help="MappaRlBatchMeta JSON of the batch")
    ap.add_argument("--weights", required=True, help="current Hugging Face checkpoint directory")
    ap.add_argument("--out", required=True, help="where to write the new checkpoint")
    ap.add_argument("--state", help="state directory (default: the meta's state_dir)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the machine is usually shared)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()

    meta, records = read_batch(args.meta)
    o = meta["trainer"]
    est = o.get("estimator", "reinforce++")
    if est not in ("reinforce++", "reinforce++-baseline"):
        sys.exit(f"{args.meta}: trainer.estimator {est!r}: this reference trainer implements reinforce++ and "
                 "reinforce++-baseline (mappa's in-process trainers cover grpo)")
    get = lambda k, d: o.get(k, d) if o.get(k) is not None else d  # noqa: E731
    lr, (b1, b2), eps = get("lr", 1e-6), get("adamBetas", [0.9, 0.95]), get("adamEps", 1e-8)
    wd, max_norm, sched = get("weightDecay", 0.0), get("maxGradNorm", 1.0), get("schedule", {})
    micro, minis, epochs = get("microBatchSize", 4), get("miniBatches", 1), get("epochs", 1)
    clip_lo = get("clipEps", 0.2)
    clip_hi = get("clipEpsHigh", clip_lo)
    dual = o.get("dualClip")
    kl_coef, kl_est, kl_place = get("klCoef", 0.01), get("klEstimator", "k1"), get("klPlacement", "reward")
    ent_coef, agg, reward_clip = get("entropyCoef", 0.0), get("aggregation", "token-mean"), get("rewardClip", 10.0)
    gamma = 1.0 if est == "reinforce++-baseline" else get("gamma", 1.0)
    norm_scope, mask_trunc, old_mode = get("normalization", "per-agent"), get("maskTruncated", True), get("oldLogprobs", "recompute")

    with open(os.path.join(args.weights, "config.json")) as f:
        config_raw = json.load(f)
    c = Config(config_raw)
    W = read_weights(args.weights)
    state_dir = args.state or meta["state_dir"]
    st, moments, ref_w = load_state(state_dir, W)
    if kl_coef > 0 and ref_w is None:
        ref_w = {k: v.clone() for k, v in W.items()}  # the reference: the weights when training started
    for t in W.values():
        t.requires_grad_(True)

    # Rows in agent order; truncated actions (and records marked not trainable) get a zero loss mask, as mappa's.
    rows = []
    for agent in meta["agent_ids"]:
        for r in (r for r in records if r["agent_id"] == agent):
            keep = r.get("trainable", True) and not (mask_trunc and r["truncated"]) and r["action_ids"] and r["context_ids"]
            rows.append(dict(r, keep=bool(keep), shaped=r["reward"], old=None, ref=None))
    if est == "reinforce++-baseline":  # group shaping over every sample of the agent, trained or not
        for agent in meta["agent_ids"]:
            mine = [r for r in rows if r["agent_id"] == agent]
            for r, s in zip(mine, group_centred([r["reward"] for r in mine], [r["group_id"] for r in mine])):
                r["shaped"] = s
    trained = [r for r in rows if r["keep"]]

    # 1. Old (rollout policy) and reference log-probs, no grad, in micro-batches.
    entropy = {}
    with torch.no_grad():
        for i in range(0, len(trained), micro):
            chunk = trained[i : i + micro]
            reuse = [old_mode == "rollout" and r["policy_version"] == meta["policy_version"]
                     and len(r["rollout_logprobs"]) == len(r["action_ids"])
                     and all(math.isfinite(x) for x in r["rollout_logprobs"]) for r in chunk]
            lps, ents = action_logprobs(c, W, chunk, with_entropy=True)
            for r, lp, e, ru in zip(chunk, lps, ents, reuse):
                r["old"] = np.array(r["rollout_logprobs"], dtype=np.float64) if ru else lp.numpy().astype(np.float64)
                entropy[id(r)] = e.numpy()
            if ref_w is not None:
                for r, lp in zip(chunk, action_logprobs(c, ref_w, chunk)[0]):
                    r["ref"] = lp.numpy().astype(np.float64)

    # 2. Advantages per agent (or over all agents with normalization: global).
    scopes = [trained] if norm_scope == "global" else [[r for r in trained if r["agent_id"] == a] for a in meta["agent_ids"]]
    for scope in scopes:
        if scope:
            kl_r = kl_coef if kl_place == "reward" else 0.0
            for r, a in zip(scope, reinforce_advantages(scope, kl_r, gamma, reward_clip, kl_est)):
                r["adv"] = a

    # 3. epochs × mini-batches optimizer updates, each accumulating micro-batch gradients, then clip + Adam.
    names = sorted(W)
    m = {n: moments.get("m/" + n, torch.zeros_like(W[n])) for n in names}
    v = {n: moments.get("v/" + n, torch.zeros_like(W[n])) for n in names}
    t_adam = st["optimizer_step"]
    per_step = epochs * minis
    total = max(1, meta["total_steps"]) * per_step
    gen = torch.Generator().manual_seed(int(get("seed", 0)) * 1000003 + meta["step"])  # mini-batch order
    stats = {"loss": 0.0, "grad_norm": 0.0, "updates": 0, "lr": 0.0, "clip": 0.0, "tokens_seen": 0}
    k = 0
    for _ in range(epochs):
        order = [trained[j] for j in torch.randperm(len(trained), generator=gen).tolist()] if minis > 1 else trained
        for mb in range(minis):
            mini = order[(mb * len(order)) // minis : ((mb + 1) * len(order)) // minis]
            lr_k = learning_rate(lr, sched, (max(1, meta["step"]) - 1) * per_step + k, total)
            k += 1
            if not mini:
                continue
            scale = get("lossScaleFactor", None) or max(len(r["action_ids"]) for r in mini)
            weights = agg_weights(mini, agg, scale)
            wmap = {id(r): w for r, w in zip(mini, weights)}
            grads = {n: torch.zeros_like(W[n]) for n in names}
            loss_total = 0.0
            for i in range(0, len(mini), micro):
                chunk = mini[i : i + micro]
                lps, ents = action_logprobs(c, W, chunk, with_entropy=ent_coef != 0)
                loss = 0.0
                for j, (r, lp) in enumerate(zip(chunk, lps)):
                    old = torch.tensor(r["old"], dtype=torch.float32)
                    adv = torch.tensor(r["adv"], dtype=torch.float32)
                    ratio = torch.exp(torch.clamp(lp - old, -20, 20))
                    s1, s2 = ratio * adv, torch.clamp(ratio, 1 - clip_lo, 1 + clip_hi) * adv
                    surr = torch.minimum(s1, s2)
                    if dual is not None:
                        surr = torch.where(adv < 0, torch.maximum(surr, adv * dual), surr)
                    tok = -surr
                    if kl_place == "loss" and kl_coef > 0 and r["ref"] is not None:
                        d = lp - torch.tensor(r["ref"], dtype=torch.float32)
                        kk = d if kl_est == "k1" else d * d / 2 if kl_est == "k2" else torch.exp(-d) - 1 + d
                        tok = tok + kl_coef * torch.clamp(kk, -10, 10)
                    if ent_coef != 0:
                        tok = tok - ent_coef * ents[j]
                    loss = loss + (tok * torch.tensor(wmap[id(r)], dtype=torch.float32)).sum()
                    stats["clip"] += float((s2 < s1).sum())
                    stats["tokens_seen"] += len(r["action_ids"])
                g = torch.autograd.grad(loss, [W[n] for n in names], allow_unused=True)
                for n, gn in zip(names, g):
                    if gn is not None:
                        grads[n] += gn
                loss_total += float(loss)
            norm = math.sqrt(sum(float(g.double().pow(2).sum()) for g in grads.values()))
            if not math.isfinite(norm):
                print(f"non-finite gradient at update {k}: skipped", file=sys.stderr)
                continue
            clip = min(1.0, max_norm / (norm + 1e-6)) if max_norm > 0 else 1.0
            # Adam as torch (and mappa's Adam.ts): bias corrections in float64, eps outside the square root.
            t_adam += 1
            step_size = lr_k / (1 - b1 ** t_adam)
            root_bc2 = math.sqrt(1 - b2 ** t_adam)
            with torch.no_grad():
                for n in names:
                    g = grads[n] * clip
                    m[n].mul_(b1).add_(g * (1 - b1))
                    v[n].mul_(b2).add_(g * g * (1 - b2))
                    upd = m[n] / (v[n].sqrt() / root_bc2 + eps) * step_size
                    if wd > 0:
                        W[n].mul_(1 - lr_k * wd)
                    W[n].sub_(upd)
            stats["loss"] += loss_total
            stats["grad_norm"] += norm
            stats["updates"] += 1
            stats["lr"] = lr_k

    # Metrics per agent (mappa adds them to the step's row under trainer/<agent>/).
    metrics = {}
    for agent in meta["agent_ids"]:
        mine = [r for r in rows if r["agent_id"] == agent]
        tr = [r for r in mine if r["keep"]]
        mm = {"samples": len(mine), "tokens": sum(len(r["action_ids"]) for r in tr), "masked_samples": len(mine) - len(tr)}
        if mine:
            mm["reward_mean"] = sum(r["reward"] for r in mine) / len(mine)
        if tr and tr[0]["ref"] is not None:
            mm["kl"] = float(np.concatenate([np.clip(r["old"] - r["ref"], -10, 10) for r in tr]).mean())
        if tr:
            mm["entropy"] = float(np.concatenate([entropy[id(r)] for r in tr]).mean())
        if stats["updates"]:
            mm.update(loss=stats["loss"] / stats["updates"], grad_norm=stats["grad_norm"] / stats["updates"], lr=stats["lr"])
        mm["optimizer_steps"] = stats["updates"]
        mm["clip_frac"] = stats["clip"] / stats["tokens_seen"] if stats["tokens_seen"] else 0.0
        metrics[agent] = mm

    new_version = meta["policy_version"] + 1
    write_checkpoint(args.weights, args.out, W, config_raw,
                     {"trainer": "reference reinforce_pp.py", "step": meta["step"], "policy_version": new_version,
                      "metrics": metrics, "seconds": round(time.time() - t0, 3)})
    moments_out = {f"m/{n}": m[n] for n in names}
    moments_out.update({f"v/{n}": v[n] for n in names})
    save_state(state_dir, {"format": "mappa-reference-trainer/1", "optimizer_step": t_adam, "last_step": meta["step"],
                           "policy_version": new_version}, moments_out if t_adam > 0 else {}, ref_w)
    print(json.dumps({"step": meta["step"], "policy_version": new_version, "updates": stats["updates"],
                      "seconds": round(time.time() - t0, 3), "metrics": metrics}))


if __name__ == "__main__":
    main()
