#!/usr/bin/env python3
"""Writes one Hugging Face-style config.json per model of ../models.json.

The files are data derived from models.json: each uses its family's model_type and native key
names (GPT-2/GPT-J: n_embd, n_layer, ...), and leaves out fields whose transformers default is
the point of a test (GPT-2 and Gemma omit tie_word_embeddings, GPT-2/GPT-J use n_inner null).
Run from anywhere: python3 tests/reference/configs/make_configs.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
models = json.load(open(os.path.join(HERE, "..", "models.json")))["models"]


def write(name, cfg):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


def family(m):
    n = m["name"]
    if n.startswith("gpt2"): return "gpt2"
    if n.startswith("gpt-j"): return "gptj"
    if n.startswith("pythia"): return "gpt_neox"
    if n.startswith("opt"): return "opt"
    if n.startswith("llama"): return "llama"
    if n.startswith("mistral"): return "mistral"
    if n.startswith("mixtral"): return "mixtral"
    if n.startswith("qwen2.5"): return "qwen2"
    if n.startswith("qwen3") and m["moe"]: return "qwen3_moe"
    if n.startswith("gemma"): return "gemma"
    if n.startswith("deepseek-v2"): return "deepseek_v2"
    raise SystemExit("no family for " + n)


ARCH = {"gpt2": "GPT2LMHeadModel", "gptj": "GPTJForCausalLM", "gpt_neox": "GPTNeoXForCausalLM",
        "opt": "OPTForCausalLM", "llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM",
        "mixtral": "MixtralForCausalLM", "qwen2": "Qwen2ForCausalLM", "qwen3_moe": "Qwen3MoeForCausalLM",
        "gemma": "GemmaForCausalLM", "deepseek_v2": "DeepseekV2ForCausalLM"}

# Descriptive fields of models.json that are not config.json keys.
DESCRIPTIVE = {"norm", "mlp", "block", "position_embedding", "router", "qk_norm", "qkv_bias", "o_bias",
               "mlp_bias", "lm_head_bias", "n_shared_experts_note"}

for m in models:
    c = dict(m["config"])
    fam = family(m)
    out = {"_name_or_path": m["hf_repo"], "architectures": [ARCH[fam]], "model_type": fam}
    if fam in ("gpt2", "gptj"):
        assert c["intermediate_size"] == 4 * c["hidden_size"], m["name"]
        out.update(vocab_size=c["vocab_size"], n_embd=c["hidden_size"], n_layer=c["num_hidden_layers"],
                   n_head=c["num_attention_heads"], n_positions=c["n_positions"], n_inner=None)
        if fam == "gpt2":
            out.update(n_ctx=c["n_positions"], activation_function="gelu_new", layer_norm_epsilon=1e-05)
        else:
            out.update(rotary_dim=c["rotary_dim"], activation_function="gelu_new",
                       tie_word_embeddings=c["tie_word_embeddings"])
    else:
        for k, v in c.items():
            if k in DESCRIPTIVE:
                continue
            if k == "max_position_embeddings" and not isinstance(v, int):
                v = 4096  # models.json records the value in prose (Llama-2: 4096 in the HF repo)
            if k == "n_shared_experts" and fam in ("mixtral", "qwen3_moe"):
                continue  # not a key of these families' config.json
            if k == "intermediate_size" and fam == "opt":
                continue  # OPT calls it ffn_dim
            out[k] = v
        if fam == "gemma":
            out.pop("tie_word_embeddings")  # GemmaConfig's default (true) is what the test checks
        if fam == "qwen2":
            out["use_sliding_window"] = False
    write(m["name"], out)
