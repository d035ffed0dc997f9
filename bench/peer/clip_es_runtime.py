"""Imports CLIP-ES (github linyq2117/CLIP-ES, fetched separately; nothing of it is in this repository) from a
folder, with run-time substitutions only (no file of CLIP-ES is edited), so that its own code runs on a CPU-only
PyTorch 2.x:

1. torchvision: the PyPI torchvision wheels are built against CUDA PyTorch, and their compiled ops (_C.so) do not
   load next to torch==2.13.0+cpu, which makes `import torchvision` fail. CLIP-ES uses torchvision only for
   `torchvision.transforms` (Resize with PIL's bicubic, ToTensor, Normalize: pure Python on PIL images), so a
   package placeholder is registered whose __path__ is the real torchvision folder: `torchvision.transforms` then
   loads from the real files without torchvision/__init__.py (no compiled op is ever called).
   With a torchvision that imports normally this is skipped.
2. ttach (test-time augmentation, imported by pytorch_grad_cam/base_cam.py, used only with aug_smooth=True,
   which CLIP-ES does not use): an empty placeholder module when the package is absent.
3. perform() (generate_cams_voc12.py) picks its device as "cuda:{process_id % torch.cuda.device_count()}",
   which divides by zero without a GPU: it is recompiled from its own source with the device set to "cpu"
   (the same substitution as shared/conformance/clip-es/README.md's reference).
4. fp16 rounding (optional, off by default, as in that reference): build_model's convert_weights replaced by a
   no-op, and upsample_pos_emb recompiled from its own source without its .half(). On the CPU CLIP-ES computes in
   float32 either way (clip.load casts the model to float32), so this changes values, not speed.
"""
import importlib.util
import inspect
import os
import sys
import types


def _shim_torchvision():
    try:
        import torchvision  # noqa: F401
        return "torchvision imported normally"
    except Exception as e:  # noqa: BLE001 - any failure of its compiled part
        for k in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
            del sys.modules[k]
        spec = importlib.util.find_spec("torchvision")
        if spec is None or not spec.submodule_search_locations:
            raise
        m = types.ModuleType("torchvision")
        m.__path__ = list(spec.submodule_search_locations)
        m.__version__ = "placeholder"
        sys.modules["torchvision"] = m
        import torchvision.transforms  # noqa: F401
        return f"torchvision placeholder (import failed: {type(e).__name__}: {str(e)[:80]}); transforms from {m.__path__[0]}"


def _stub_ttach():
    if importlib.util.find_spec("ttach") is None:
        sys.modules["ttach"] = types.ModuleType("ttach")
        return "ttach placeholder (aug_smooth unused)"
    return "ttach installed"


def _recompile(module, func_name, replacements):
    src = inspect.getsource(getattr(module, func_name))
    for old, new in replacements:
        if old not in src:
            raise RuntimeError(f"{module.__name__}.{func_name}: expected text not found: {old!r} (another CLIP-ES commit?)")
        src = src.replace(old, new)
    code = compile(src, inspect.getsourcefile(module), "exec")
    exec(code, module.__dict__)  # defines the function again in its own module's namespace


def load_clip_es(clip_es_dir, fp16_rounding=False):
    """Returns (generate_cams_voc12 module, clip package, notes)."""
    notes = [_shim_torchvision(), _stub_ttach()]
    clip_es_dir = os.path.abspath(clip_es_dir)
    if clip_es_dir not in sys.path:
        sys.path.insert(0, clip_es_dir)
    import clip  # CLIP-ES's own copy of OpenAI's clip package
    import clip.model as cm
    if not fp16_rounding:
        cm.convert_weights = lambda model: None
        _recompile(cm, "upsample_pos_emb", [("emb.half()", "emb")])
        notes.append("fp16 rounding bypassed (convert_weights no-op, upsample_pos_emb without .half())")
    else:
        notes.append("fp16 rounding kept (CLIP-ES as it ships; float32 arithmetic on the CPU)")
    import generate_cams_voc12 as g
    _recompile(g, "perform", [
        ("n_gpus = torch.cuda.device_count()", "n_gpus = 0"),
        ('device_id = "cuda:{}".format(process_id % n_gpus)', 'device_id = "cpu"'),
    ])
    g.device = "cpu"  # zeroshot_classifier reads the module global set in __main__
    notes.append("perform() on device cpu")
    return g, clip, notes
