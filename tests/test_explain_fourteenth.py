# ruff: noqa: E501
"""`explain`'s fourteenth round (issue 31): messages from the threads of the libraries people train with
(ultralytics' YOLOs, detectron-style and torchvision detectors, DETR, timm and ViT checkpoints, transformers
Trainer runs, PEFT/LoRA adapters, diffusers and ComfyUI, audio models: denoisers, Demucs, Whisper, wav2vec2,
so-vits), where the story the answer gives is read from the numbers as a domain writes them.

The set: 40 messages from GitHub threads of those libraries and the projects built on them (not the
repositories the earlier rounds mined), each with the code lines its thread pastes where it shows them, the
cause its answer gives and the words a right story holds. Four wordings carry no numbers of their own (`index
out of range in self`, a `Target N`, the bare BatchNorm message) and also occur in earlier sets; every other is
new. Graded before this round (the `# before:` notes): 17 right (19 of the messages alone), 14 told without the
answer's cause, 9 stories the answer rules out (a stereo waveform's 2 read as an `unsqueeze` or as frames, a
5-D conv input read as a BatchNorm's, a box regression's 8 = 4·2 read as 8 classes, an RPN's anchors read as
classes, a class token read as another image size, YOLO's anchors read as RGBA channels, a cat's 30 read as a
YOLO head).

The mechanisms (`domains.py` and the checkpoint readings): a stereo waveform's 2 (samples last, a spectrogram per
channel, or with a complex pair's 2 beside it), mono against stereo convs, Whisper's 80 and 128 mel bins, FFT bins;
a YOLO layer's view as anchors × (5 + classes) against the conv's filters; a pretrained dataset's class count in a
broadcast, an optimizer's state from another model, an empty tensor (an image without boxes); the line pairing
anchors with strides; a multimodal sequence cut after its image tokens were counted; labels per token for a
sequence classifier; in checkpoints a sharded save's empty [0], an RPN's anchors per location, a box regression's
4 per class (or the class scores' own line), a class token present on one side only, a position table's square
grid, a detection head's background; templates that read a lost colon or full stop and markdown emphasis.
"""

from __future__ import annotations

import re

import pytest

from shapecheck.explain import explain
from shapecheck.explain.explanation import NOT_SHAPE, UNDECODED

GH = "https://github.com/"

# (family, message, the paste with its code lines (None: the thread shows none), thread, the answer's cause,
# words a right story holds (each a regex, all needed), words of a story the answer rules out)
FOURTEENTH = [
    (
        "view",
        "RuntimeError: shape '[16, 3, 85, 16, 16]' is invalid for input of size 135168",
        None,
        "ultralytics/yolov3/issues/1371",
        "the cfg's YOLO layer reads 80 classes (85 = 5 + 80) while the conv before it gives 33 = 3 x (5 + 6) channels: classes and filters = 3*(classes+5) disagree in the cfg",
        ["5 \\+ 80|80 classes", "filters|classes"],
        [],
    ),  # before: missed
    (
        "view",
        "RuntimeError: shape '[16, 3, 15, 13, 13]' is invalid for input of size 689520",
        None,
        "ultralytics/yolov3/issues/816",
        "the conv before the YOLO layer still has 255 = 3 x (5 + 80) filters (COCO) while the layer reads 10 classes: set filters = 3*(classes+5) = 45",
        ["255", "filters|classes"],
        [],
    ),  # before: missed
    (
        "broadcast",
        "RuntimeError: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0",
        '  File "/tmp/pycharm_project_509/models/yolo.py", line 143, in __init__\n    m.anchors /= m.stride.view(-1, 1, 1)\nRuntimeError: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0',
        "ultralytics/yolov5/issues/82",
        "a 4th detection layer was added with anchors for 3 only: give it anchors (or `anchors: 3` and AutoAnchor)",
        ["anchor"],
        [],
    ),  # before: wrong
    (
        "cat",
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 30 but got size 29 for tensor number 1 in the list.",
        "yolo task=detect mode=train model=yolov8n.pt data=data.yaml epochs=3 imgsz=460 batch=1 cache=True\nRuntimeError: Sizes of tensors must match except in dimension 1. Expected size 30 but got size 29 for tensor number 1 in the list.",
        "ultralytics/ultralytics/issues/243",
        "imgsz=460 is not a multiple of the stride 32: an upsampled map and a skip map differ by one; use imgsz 480/448",
        ["multiple of|divisible"],
        ["YOLO head for 5 classes"],
    ),  # before: wrong
    (
        "broadcast",
        "RuntimeError: The size of tensor a (91) must match the size of tensor b (7) at non-singleton dimension 0",
        '  File "/home/bugs/anaconda3/envs/deformable_detr/lib/python3.7/site-packages/torch/optim/adamw.py", line 104, in step\n    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)\nRuntimeError: The size of tensor a (91) must match the size of tensor b (7) at non-singleton dimension 0',
        "ver0z/Deformable-DETR-/issues/1",
        "the optimizer state resumed from a COCO checkpoint (91 classes) meets a 7-class head: set num_classes / do not load the checkpoint's optimizer state",
        ["optimizer|checkpoint", "91|class"],
        [],
    ),  # before: missed
    (
        "broadcast",
        "RuntimeError: The size of tensor a (4) must match the size of tensor b (81) at non-singleton dimension 1",
        None,
        "open-mmlab/mmdetection/issues/2081",
        "num_classes changed in one head of the config but not in all (cascade: three bbox heads): change every num_classes",
        ["81|COCO", "num_classes"],
        [],
    ),  # before: right
    (
        "state-dict",
        "RuntimeError: Error(s) in loading state_dict for FasterRCNN:\n\tsize mismatch for roi_heads.box_predictor.cls_score.weight: copying a param with shape torch.Size([91, 1024]) from checkpoint, the shape in current model is torch.Size([50, 1024]).\n\tsize mismatch for roi_heads.box_predictor.cls_score.bias: copying a param with shape torch.Size([91]) from checkpoint, the shape in current model is torch.Size([50]).",
        "my_model = models.detection.fasterrcnn_resnet50_fpn(pretrained=True,num_classes=50)\nRuntimeError: Error(s) in loading state_dict for FasterRCNN:\n\tsize mismatch for roi_heads.box_predictor.cls_score.weight: copying a param with shape torch.Size([91, 1024]) from checkpoint, the shape in current model is torch.Size([50, 1024]).",
        "pytorch/vision/issues/2555",
        "pretrained=True with num_classes=50: load the COCO model, then replace roi_heads.box_predictor with FastRCNNPredictor(in_features, 50)",
        ["box_predictor|FastRCNNPredictor|replace the head|new head"],
        [],
    ),  # before: right
    (
        "state-dict",
        "RuntimeError: Error(s) in loading state_dict for FasterRCNN:\n\tsize mismatch for roi_heads.box_predictor.cls_score.weight: copying a param with shape torch.Size([2, 1024]) from checkpoint, the shape in current model is torch.Size([1, 1024]).\n\tsize mismatch for roi_heads.box_predictor.cls_score.bias: copying a param with shape torch.Size([2]) from checkpoint, the shape in current model is torch.Size([1]).\n\tsize mismatch for roi_heads.box_predictor.bbox_pred.weight: copying a param with shape torch.Size([8, 1024]) from checkpoint, the shape in current model is torch.Size([4, 1024]).",
        None,
        "WZMIAOMIAO/deep-learning-for-image-processing/issues/356",
        "predict.py builds the model with num_classes=1 while training used 2 (1 class + background): num_classes = classes + 1",
        ["background", "num_classes"],
        ["num_classes=8"],
    ),  # before: wrong
    (
        "state-dict",
        "RuntimeError: Error(s) in loading state_dict for vgg16:\n        size mismatch for RCNN_rpn.RPN_cls_score.weight: copying a param with shape torch.Size([24, 512, 1, 1]) from checkpoint, the shape in current model is torch.Size([18, 512, 1, 1]).\n        size mismatch for RCNN_rpn.RPN_cls_score.bias: copying a param with shape torch.Size([24]) from checkpoint, the shape in current model is torch.Size([18]).\n        size mismatch for RCNN_rpn.RPN_bbox_pred.weight: copying a param with shape torch.Size([48, 512, 1, 1]) from checkpoint, the shape in current model is torch.Size([36, 512, 1, 1]).",
        None,
        "jwyang/faster-rcnn.pytorch/issues/518",
        "trained on coco with 4 anchor scales (12 anchors: 24 = 2x12, 48 = 4x12), tested with 3 (9 anchors): use the same ANCHOR_SCALES at test",
        ["anchor"],
        [],
    ),  # before: wrong
    (
        "broadcast",
        "RuntimeError: The size of tensor a (3137) must match the size of tensor b (65) at non-singleton dimension 1",
        '  File "C:\\pyprj\\Compact-Transformers\\src\\utils\\transformers.py", line 199, in forward\n    x += self.positional_emb\nRuntimeError: The size of tensor a (3137) must match the size of tensor b (65) at non-singleton dimension 1',
        "SHI-Labs/Compact-Transformers/issues/74",
        "a model built for 32x32 images (8x8 patches + class token = 65) fed 224x224 images (56x56 + 1 = 3137): use the 224 variant or set img_size",
        ["56", "8", "img_size|image size|224"],
        [],
    ),  # before: right
    (
        "state-dict",
        "RuntimeError: Error(s) in loading state_dict for VisionTransformer:\n\tsize mismatch for pos_embed: copying a param with shape torch.Size([1, 257, 384]) from checkpoint, the shape in current model is torch.Size([1, 197, 384]).",
        None,
        "YuchenLiu98/ECCV2022-SDA-FAS/issues/1",
        "the checkpoint was trained on 256x256 images (16x16 patches + cls = 257), the model built for 224: set img_size=256",
        ["256", "img_size|image size"],
        [],
    ),  # before: right
    (
        "state-dict",
        "size mismatch for pos_embed: copying a param with shape torch.Size([1, 196, 384]) from checkpoint, the shape in current model is torch.Size([1, 197, 384]).",
        None,
        "microsoft/Cream/issues/238",
        "the checkpoint has no class token (196 = 14x14 patches) while the model adds one (197): build the model without cls_token / global pool",
        ["class token", "without (a|the) class token|no class token|class_token|cls_token|global_pool"],
        ["for another image size"],
    ),  # before: wrong
    (
        "batch",
        "ValueError: Expected input batch_size (8) to match target batch_size (1024).",
        "model = BertForSequenceClassification.from_pretrained('bert-base-uncased')\ndata_collator = DataCollatorForLanguageModeling(\n    tokenizer=tokenizer, mlm=True, mlm_probability=0.15\n)\nValueError: Expected input batch_size (8) to match target batch_size (1024).",
        "huggingface/transformers/issues/6452",
        "DataCollatorForLanguageModeling gives one label per token (8 x 128 = 1024) to BertForSequenceClassification: use BertForMaskedLM",
        ["128|per token|each token", "MaskedLM|masked|language model"],
        [],
    ),  # before: missed
    (
        "position",
        "RuntimeError: The expanded size of the tensor (566) must match the existing size (512) at non-singleton dimension 1.  Target sizes: [1, 566].  Tensor sizes: [1, 512]",
        None,
        "lavis-nlp/spert/issues/60",
        "BERT takes 512 tokens at most: truncate or split the document",
        ["512", "truncat|max_length|split"],
        [],
    ),  # before: right
    (
        "position",
        "RuntimeError: The expanded size of the tensor (514) must match the existing size (512) at non-singleton dimension 1. Target sizes: [8, 514]. Tensor sizes: [1, 512]",
        None,
        "flairNLP/flair/issues/2801",
        "truncation=False with overflowing tokens gives 514 > 512 tokens: truncation=True / model_max_length 512",
        ["512", "truncat|max_length"],
        [],
    ),  # before: right
    (
        "position",
        "RuntimeError: The expanded size of the tensor (707) must match the existing size (512) at non-singleton dimension 1.  Target sizes: [1, 707].  Tensor sizes: [1, 512]",
        '  File "/home/mastaldal/anaconda3/envs/StyleTTS2/lib/python3.10/site-packages/transformers/models/albert/modeling_albert.py", line 719, in forward\n    buffered_token_type_ids_expanded = buffered_token_type_ids.expand(batch_size, seq_length)\nRuntimeError: The expanded size of the tensor (707) must match the existing size (512) at non-singleton dimension 1.  Target sizes: [1, 707].  Tensor sizes: [1, 512]',
        "yl4579/StyleTTS2/issues/116",
        "a text of 707 tokens into PL-BERT (ALBERT, 512 positions): keep texts under 512 tokens (split them)",
        ["512", "truncat|max_length|split|shorter"],
        [],
    ),  # before: right
    (
        "position",
        "RuntimeError: The size of tensor a (207) must match the size of tensor b (200) at non-singleton dimension 1",
        None,
        "SamLynnEvans/Transformer/issues/14",
        "max_seq_len of the positional encoder is 200; sentences of 207 tokens: raise max_seq_len (or cut inputs)",
        ["max_seq_len|max_len|longer than|max_position"],
        [],
    ),  # before: missed
    (
        "embedding",
        "IndexError: index out of range in self",
        "tokenizer.add_special_tokens({'additional_special_tokens': ['<e1>', '</e1>', '<e2>', '</e2>']})\n  File \"/usr/local/lib/python3.6/dist-packages/torch/nn/functional.py\", line 1724, in embedding\n    return torch.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)\nIndexError: index out of range in self",
        "mickeysjm/R-BERT/issues/5",
        "special tokens added to the tokenizer without resizing the embedding: model.resize_token_embeddings(len(tokenizer))",
        ["resize_token_embeddings"],
        [],
    ),  # before: right
    (
        "state-dict",
        "RuntimeError: Error(s) in loading state_dict for PeftModelForCausalLM:\n\n    size mismatch for base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight: copying a param with shape torch.Size([32, 5120]) from checkpoint, the shape in current model is torch.Size([128, 5120]).\n\n    size mismatch for base_model.model.model.layers.0.self_attn.q_proj.lora_B.default.weight: copying a param with shape torch.Size([5120, 32]) from checkpoint, the shape in current model is torch.Size([5120, 128]).",
        None,
        "oobabooga/textgen/issues/3944",
        "the adapter was saved with LoRA rank r=32, the model is built with r=128: use the adapter's r (its adapter_config.json)",
        ["rank|\\br\\b|r=32"],
        [],
    ),  # before: right
    (
        "state-dict",
        "RuntimeError: Error(s) in loading state_dict for PeftModelForCausalLM: size mismatch for base_model.model.transformer.encoder.layers.9.self_attention.query_key_value.lora_A.default.weight: copying a param with shape torch.Size([256, 4096]) from checkpoint, the shape in current model is torch.Size([512, 4096]).\n        size mismatch for base_model.model.transformer.encoder.layers.9.self_attention.query_key_value.lora_B.default.weight: copying a param with shape torch.Size([4608, 256]) from checkpoint, the shape in current model is torch.Size([4608, 512]).",
        None,
        "zai-org/ChatGLM3/issues/657",
        "LoRA rank 256 in the checkpoint, 512 in the config used to load: load with the adapter's own config (r=256)",
        ["rank|\\br\\b"],
        [],
    ),  # before: right
    (
        "state-dict",
        "size mismatch for base_model.model.model.layers.30.mlp.gate_proj.lora_B.default.weight: copying a param with shape torch.Size([0]) from checkpoint, the shape in current model is torch.Size([11008, 8]).\nsize mismatch for base_model.model.model.layers.30.mlp.up_proj.lora_B.default.weight: copying a param with shape torch.Size([0]) from checkpoint, the shape in current model is torch.Size([11008, 8]).",
        None,
        "zjunlp/KnowUnDo/issues/3",
        "saved under DeepSpeed ZeRO-3: parameters are partitioned, the state dict holds empty [0] placeholders; gather them (GatheredParameters / stage3_gather_16bit_weights_on_model_save) before saving",
        ["ZeRO|DeepSpeed|deepspeed|FSDP|shard|partition"],
        [],
    ),  # before: missed
    (
        "linear-in",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x2048 and 768x320)",
        '  File "/home/oem/miniconda3/envs/comfyui/lib/python3.11/site-packages/diffusers/models/attention.py", line 366, in forward\n    attn_output = self.attn2(\nRuntimeError: mat1 and mat2 shapes cannot be multiplied (32x2048 and 768x320)',
        "ZHO-ZHO-ZHO/ComfyUI-InstantID/issues/18",
        "SDXL conditioning (2048 wide) into an SD1.5 UNet (cross_attention_dim 768): InstantID needs an SDXL checkpoint",
        ["SDXL", "SD ?1\\.5|SD1|768"],
        [],
    ),  # before: missed
    (
        "linear-in",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (308x2048 and 768x320)",
        '  File "D:\\ComfyUI\\ComfyUI\\nodes.py", line 1206, in sample\n    return common_ksampler(model, seed, steps, cfg, sampler_name, scheduler, positive, negative, latent_image, denoise=denoise)\nRuntimeError: mat1 and mat2 shapes cannot be multiplied (308x2048 and 768x320)',
        "city96/SD-Latent-Interposer/issues/2",
        "SDXL text conditioning (2048) into an SD1.x model (768): the workflow mixes an SDXL prompt encoder with an SD1.5 checkpoint",
        ["SDXL", "SD ?1|768"],
        [],
    ),  # before: right
    (
        "linear-in",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (154x768 and 1024x320)",
        None,
        "YoujiaZhang/USD/issues/1",
        "SD1.x text embeddings (CLIP ViT-L, 768) into an SD2.x UNet (cross_attention_dim 1024): use the text encoder of the same model",
        ["SD ?2|1024", "768", "text encoder|CLIP"],
        [],
    ),  # before: right
    (
        "conv-rank",
        "RuntimeError: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [1, 1, 69048, 2]",
        None,
        "thuhcsi/SECap/issues/4",
        "stereo audio (the trailing 2 is the two channels): convert to mono",
        ["stereo", "mono"],
        [],
    ),  # before: wrong
    (
        "conv-rank",
        "RuntimeError: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [232, 1, 80256, 2]",
        None,
        "espnet/espnet/issues/5089",
        "two-channel audio: wav2vec2 takes (batch, length) mono speech",
        ["stereo|two channels|2 channels", "mono"],
        [],
    ),  # before: wrong
    (
        "conv-rank",
        "RuntimeError: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [6, 2, 80, 1649]",
        None,
        "voicepaw/so-vits-svc-fork/issues/631",
        "stereo files in the dataset give a mel of [2, 80, T] per item: convert the dataset to mono",
        ["stereo", "mono"],
        [],
    ),  # before: wrong
    (
        "conv-rank",
        "_Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size_ [3, 4, 256, 256, 2]",
        None,
        "sp-uhh/sgmse/issues/43",
        "stereo audio with two channels; the method works on mono only",
        ["stereo", "mono"],
        [],
    ),  # before: wrong
    (
        "conv-in",
        "RuntimeError: Given groups=1, weight of size [48, 1, 8], expected input[1, 2, 114721108] to have 1 channels, but got 2 channels instead",
        None,
        "facebookresearch/denoiser/issues/50",
        "stereo input into a mono model: downmix to mono first (ffmpeg -ac 1)",
        ["stereo", "mono"],
        [],
    ),  # before: missed
    (
        "conv-in",
        "RuntimeError: Given groups=1, weight of size 100 2 8, expected input[1, 1, 652628] to have 2 channels, but got 1 channels instead",
        None,
        "facebookresearch/demucs/issues/22",
        "only stereo input is supported: convert the mono file to stereo (ffmpeg -ac 2)",
        ["stereo", "mono"],
        [],
    ),  # before: missed
    (
        "conv-in",
        "RuntimeError: Given groups=1, weight of size [256, 1, 32], expected input[2048, 2, 993] to have 1 channels, but got 2 channels instead",
        "---> 31 pitch, periodicity = penn.from_audio(\n     32     audio,\n     33     penn.SAMPLE_RATE,\n--> 309         return F.conv1d(input, weight, bias, self.stride,\nRuntimeError: Given groups=1, weight of size [256, 1, 32], expected input[2048, 2, 993] to have 1 channels, but got 2 channels instead",
        "interactiveaudiolab/penn/issues/3",
        "the model expects a mono file and was given stereo: convert to mono",
        ["stereo", "mono"],
        [],
    ),  # before: missed
    (
        "conv-in",
        "RuntimeError: Given groups=1, weight of size [1280, 128, 3], expected input[16, 80, 3000] to have 128 channels, but got 80 channels instead",
        None,
        "jumon/whisper-finetuning/issues/27",
        "Whisper large-v3 takes 128 mel bins; the features were computed with 80 (the earlier models'): compute log-mel with n_mels=128 (v3's feature extractor)",
        ["mel", "128"],
        [],
    ),  # before: missed
    (
        "target-bounds",
        "IndexError: Target 12 is out of bounds.",
        None,
        "TencentGameMate/gnn_cross_lingual/issues/5",
        "labels run past the classifier's outputs: num_labels must be the number of classes (labels 0..num_labels-1); the data has labels above 11",
        ["num_labels|num_classes|classes"],
        [],
    ),  # before: right
    (
        "target-bounds",
        "return torch._C._nn.cross_entropy_loss(input, target, weight, _Reduction.get_enum(reduction), ignore_index) IndexError: \nTarget -1 is out of bounds.",
        None,
        "EricFillion/happy-transformer/issues/248",
        "a label of -1 in the csv: class labels start at 0",
        ["-1|negative"],
        [],
    ),  # before: right
    (
        "index-put",
        "RuntimeError: shape mismatch: value tensor of shape [3, 4255] cannot be broadcast to indexing result of shape [3, 4095]",
        " position_ids[..., i, attention_mask[i] == 1] = llm_positions.to(position_ids.device)\nRuntimeError: shape mismatch: value tensor of shape [3, 4255] cannot be broadcast to indexing result of shape [3, 4095]",
        "hiyouga/LlamaFactory/issues/6425",
        "cutoff_len (4096) cuts the sequence inside the image tokens, so the positions of 4255 tokens meet a mask of 4095: raise cutoff_len (or lower image_resolution)",
        ["cutoff_len|max_length|truncat|cut"],
        [],
    ),  # before: missed
    (
        "broadcast",
        "RuntimeError: The size of tensor a (0) must match the size of tensor b (4) at non-singleton dimension 1",
        None,
        "sgrvinod/a-PyTorch-Tutorial-to-Object-Detection/issues/14",
        "an image with no boxes in the dataset (boxes tensor [0] instead of [0, 4]): drop images without objects or keep boxes [n, 4]",
        ["empty|no box|no object|zero"],
        [],
    ),  # before: missed
    (
        "bn-batch",
        "ValueError: Expected more than 1 value per channel when training, got input size torch.Size([1, 128])",
        None,
        "scverse/scvi-tools/issues/2314",
        "the last training batch holds one observation and BatchNorm cannot normalise it: another batch_size (or drop_last)",
        ["last batch|drop_last|batch_size"],
        [],
    ),  # before: right
    (
        "bn-batch",
        "ValueError: Expected more than 1 value per channel when training, got input size torch.Size([1, 512])",
        None,
        "yanx27/Pointnet_Pointnet2_pytorch/issues/78",
        "the last batch of the epoch has one sample: drop_last=True in the DataLoader",
        ["drop_last"],
        [],
    ),  # before: right
    (
        "bn-batch",
        "Expected more than 1 value per channel when training",
        None,
        "fastai/fastai/issues/1352",
        "a training batch of size 1 into BatchNorm: drop_last=True on the training dataloader",
        ["drop_last"],
        [],
    ),  # before: missed
    (
        "not-shape",
        "mat1 and mat2 must have the same dtype, but got Float and Half",
        None,
        "luosiallen/latent-consistency-model/issues/46",
        "dtype mismatch inside the pipeline (fixed in diffusers 0.23.0): update diffusers / run in one dtype",
        ["not a shape problem", "dtype|half|fp16"],
        [],
    ),  # before: right
]

FAMILIES = {
    "view": {"SC113"},
    "broadcast": {"SC112"},
    "cat": {"SC109"},
    "state-dict": {"SC110"},
    "batch": {"SC106"},
    "position": {"SC112"},
    "embedding": {"SC124"},
    "linear-in": {"SC102", "SC117"},
    "conv-rank": {"SC105"},
    "conv-in": {"SC104"},
    "target-bounds": {"SC125"},
    "index-put": {"SC112"},
    "bn-batch": {"SC108"},
    "not-shape": {NOT_SHAPE},
}


def _told(text: str, must: list[str], wrong: list[str]) -> bool:
    return all(re.search(m, text, re.IGNORECASE) for m in must) and not any(
        re.search(w, text, re.IGNORECASE) for w in wrong
    )


@pytest.mark.parametrize("item", FOURTEENTH, ids=[row[3] for row in FOURTEENTH])
def test_each_message_of_the_set_is_told_as_its_answer_says(item):
    """Told from the paste where the thread shows code lines (the line or the frames choose the story), from the
    message alone where it does not."""
    family, message, paste, thread, _cause, must, wrong = item
    e = explain(paste or message)
    assert e is not None and e.title != UNDECODED, thread
    assert e.code in FAMILIES[family], (thread, e.code)
    assert _told(e.text(), must, wrong), (thread, e.text())


def test_the_messages_alone_are_told_but_where_only_the_paste_names_the_cause():
    told = [row[3] for row in FOURTEENTH if _told(explain(row[1]).text(), row[5], row[6])]
    # the three the message cannot tell: 3 against 4 anchor sets (a line dividing anchors by strides), an
    # optimizer's state (the frame in torch/optim), labels per token (the collator the code names)
    untold = {row[3] for row in FOURTEENTH} - set(told)
    assert untold == {
        "ultralytics/yolov5/issues/82",
        "ver0z/Deformable-DETR-/issues/1",
        "huggingface/transformers/issues/6452",
    }


def test_the_set_is_forty_threads_and_apart_from_the_earlier_sets_but_for_wordings_without_numbers():
    import sys
    from pathlib import Path

    threads = [row[3] for row in FOURTEENTH]
    assert len(FOURTEENTH) >= 40 and len(set(threads)) == len(threads)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import explain_heldout
    from explain_corpus import MESSAGES

    earlier = {m[1] for m in MESSAGES}
    for name in dir(explain_heldout):
        value = getattr(explain_heldout, name)
        if isinstance(value, list):
            earlier |= {m[1] for m in value if isinstance(m, tuple) and len(m) >= 2}
    shared = {row[1] for row in FOURTEENTH} & earlier
    assert all(not re.search(r"\d{2}", m.replace("Target 12", "")) for m in shared), shared
    before = [line for line in Path(__file__).read_text().splitlines() if re.match(r"\s+\),  # before: ", line)]
    assert len(before) == len(FOURTEENTH)
    assert sum("before: right" in line for line in before) == 17
    assert sum("before: wrong" in line for line in before) == 9


# ---- the mechanisms, each on messages of its own (not the set's) and where it must stay silent ----


def _causes(message: str) -> list[str]:
    e = explain(message)
    assert e is not None
    return e.causes


def test_a_trailing_2_after_a_waveform_s_samples_is_stereo_and_the_extra_dim_story_is_dropped():
    causes = _causes(
        "RuntimeError: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [4, 1, 48000, 2]"
    )
    assert "stereo" in causes[0] and not any("extra dim of 1" in c for c in causes)
    # a short last dim is no waveform: the extra-dim story stays
    other = _causes(
        "RuntimeError: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [4, 1, 300, 2]"
    )
    assert not any("stereo" in c for c in other) and any("extra dim of 1" in c for c in other)


def test_a_trailing_2_of_a_5d_conv2d_input_is_given_both_readings():
    e = explain(
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 2, 128, 128, 2]"
    )
    assert "stereo" in e.causes[0] and "real and imaginary" in e.causes[0]


def test_mono_and_stereo_waveforms_against_a_conv1d_s_channels():
    stereo = explain(
        "RuntimeError: Given groups=1, weight of size [32, 1, 10], expected input[2, 2, 160000] to have 1 channels, but got 2 channels instead"
    )
    assert "stereo" in stereo.causes[0] and "mean(" in stereo.fixes[0]
    assert not any(f.startswith("if the layers are yours") for f in stereo.fixes)
    mono = explain(
        "RuntimeError: Given groups=1, weight of size [64, 2, 8], expected input[1, 1, 441000] to have 2 channels, but got 1 channels instead"
    )
    assert "mono audio" in mono.causes[0] and "repeat(2, 1)" in mono.fixes[0]
    # a conv2d over a feature map of 1 against 2 channels is audio only where the paste speaks of audio
    image = "RuntimeError: Given groups=1, weight of size [16, 2, 3, 3], expected input[4, 1, 64, 64] to have 2 channels, but got 1 channels instead"
    assert not any("stereo" in c for c in _causes(image))
    assert "stereo" in _causes("waveform, sr = torchaudio.load(path)\n" + image)[0]


def test_mel_and_fft_bin_counts_name_the_feature_config():
    whisper = _causes(
        "RuntimeError: Given groups=1, weight of size [512, 80, 3], expected input[1, 128, 3000] to have 80 channels, but got 128 channels instead"
    )
    assert "mel" in whisper[0] and "large-v3" in whisper[0]
    fft = _causes(
        "RuntimeError: Given groups=1, weight of size [192, 1025, 1], expected input[4, 513, 200] to have 1025 channels, but got 513 channels instead"
    )
    assert "n_fft" in fft[0] and "1024" in fft[0] and "2048" in fft[0]


def test_a_yolo_layer_s_view_reads_the_conv_s_classes_from_the_tensor_s_size():
    # [4, 3, 25, 20, 20]: the layer reads 20 classes; 4·20·20·18 = 28800 values: 18 = 3·(5 + 1), a conv made for 1
    e = explain("RuntimeError: shape '[4, 3, 25, 20, 20]' is invalid for input of size 28800")
    assert "3·(5 + 1)" in e.causes[0] and "20 classes" in e.causes[0] and "filters" in e.fixes[0]
    # four "anchors" are no YOLO layer: no such story
    assert not any(
        "YOLO" in c for c in _causes("RuntimeError: shape '[4, 4, 25, 20, 20]' is invalid for input of size 28800")
    )


def test_a_pretrained_dataset_s_class_count_an_empty_tensor_and_an_optimizer_s_state_in_a_broadcast():
    bare = "RuntimeError: The size of tensor a (12) must match the size of tensor b (91) at non-singleton dimension 1"
    # alone, 91 may be a length: the class count is a second reading; a paste about a head makes it the first
    assert any(c.startswith("or, if 91 counts classes") for c in _causes(bare))
    coco = _causes('  File "mmdet/models/roi_heads/bbox_heads/bbox_head.py", line 300, in forward\n' + bare)
    assert "COCO" in coco[0]
    assert not any(
        "COCO" in c
        for c in _causes(
            "RuntimeError: The size of tensor a (12) must match the size of tensor b (90) at non-singleton dimension 1"
        )
    )
    empty = _causes(
        "RuntimeError: The size of tensor a (4) must match the size of tensor b (0) at non-singleton dimension 1"
    )
    assert "empty" in empty[0] and "boxes" in empty[0]
    optimizer = _causes(
        '  File "/usr/lib/python3/site-packages/torch/optim/sgd.py", line 80, in step\n'
        "    buf.mul_(momentum).add_(d_p, alpha=1 - dampening)\n"
        "RuntimeError: The size of tensor a (10) must match the size of tensor b (1000) at non-singleton dimension 0"
    )
    assert "optimizer" in optimizer[0] and "ImageNet" in optimizer[0]


def test_a_line_pairing_anchors_with_strides_names_the_detection_layers():
    e = explain(
        "    anchor_points = self.anchors / self.stride.view(-1, 1, 1)\n"
        "RuntimeError: The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
    )
    assert "anchor sets" in e.causes[0]
    plain = explain(
        "    out = x / scale.view(-1, 1, 1)\nRuntimeError: The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
    )
    assert not any("anchor" in c for c in plain.causes)


def test_positions_of_a_sequence_cut_after_its_image_tokens_were_counted():
    masked = explain(
        "    position_ids[..., i, attention_mask[i] == 1] = llm_positions.to(position_ids.device)\n"
        "RuntimeError: shape mismatch: value tensor of shape [3, 2300] cannot be broadcast to indexing result of shape [3, 2048]"
    )
    assert "cut" in masked.causes[0] and "cutoff_len" in masked.fixes[0]
    alone = _causes(
        "RuntimeError: shape mismatch: value tensor of shape [3, 8500] cannot be broadcast to indexing result of shape [3, 8191]"
    )
    assert any(c.startswith("or positions computed") for c in alone)
    doubled = _causes(
        "RuntimeError: shape mismatch: value tensor of shape [2, 4096] cannot be broadcast to indexing result of shape [2, 2048]"
    )
    assert not any("positions computed" in c for c in doubled)


def test_labels_per_token_for_a_sequence_classifier_when_the_paste_names_both():
    paste = (
        "model = DistilBertForSequenceClassification.from_pretrained(name)\n"
        "collator = DataCollatorForLanguageModeling(tokenizer)\n"
        "ValueError: Expected input batch_size (16) to match target batch_size (4096)."
    )
    e = explain(paste)
    assert "one per token" in e.causes[0] and "256 tokens" in e.causes[0] and "DistilBertForMaskedLM" in e.fixes[0]
    assert "one per token" not in explain(paste.splitlines()[-1]).causes[0]


_CKPT = "size mismatch for {}: copying a param with shape torch.Size([{}]) from checkpoint, the shape in current model is torch.Size([{}])."


def test_checkpoint_keys_read_as_what_they_hold():
    sharded = _causes(_CKPT.format("base_model.model.layers.0.self_attn.q_proj.lora_A.default.weight", "0", "16, 4096"))
    assert "ZeRO-3" in sharded[0]
    rpn = _causes(_CKPT.format("rpn.head.bbox_pred.weight", "60, 256, 1, 1", "36, 256, 1, 1"))
    assert "15 anchors per location in the checkpoint and 9 in the model" in rpn[0]
    box = _causes(_CKPT.format("roi_heads.box_predictor.bbox_pred.weight", "12, 1024", "44, 1024"))
    assert "3 classes and the model built for 11" in box[0]
    both = explain(
        _CKPT.format("roi_heads.box_predictor.cls_score.weight", "3, 1024", "11, 1024")
        + "\n"
        + _CKPT.format("roi_heads.box_predictor.bbox_pred.weight", "12, 1024", "44, 1024")
    )
    assert "cls_score" in both.title and "num_classes=3" in both.causes[0] and "background" in both.causes[0]
    token = _causes(_CKPT.format("pos_embed", "1, 577, 768", "1, 576, 768"))
    assert "class token" in token[0] and "checkpoint has a class token" in token[0]
    square = _causes(_CKPT.format("encoder.pos_embed", "1, 1024, 256", "1, 4096, 256"))
    assert "32×32" in square[0] and "64×64" in square[0]
    # a length that is no square stays a max length
    assert "max length" in _causes(_CKPT.format("pos_embed", "1, 1000, 256", "1, 2000, 256"))[0]


def test_a_colon_or_full_stop_a_paste_lost_and_markdown_emphasis_are_read():
    lost_colon = explain(
        "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size [8, 1, 16000, 2]"
    )
    assert lost_colon.code == "SC105" and "conv1d" in lost_colon.title
    lost_stop = explain("Given input size: (256x2x2) Calculated output size: (256x0x0) Output size is too small")
    assert lost_stop.code == "SC107" and "pool" in lost_stop.raised_by.lower()
    emphasis = explain(
        "_Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size_ [2, 3, 64, 64, 2]"
    )
    assert emphasis.code == "SC105" and "conv2d" in emphasis.title
    # a colon right after a value stays: the key does not take it
    key = explain(_CKPT.format("head.fc.weight", "10, 512", "5, 512"))
    assert "`head.fc.weight`" in key.title


def test_a_cat_s_sides_in_a_yolo_paste_are_never_a_head_s_anchors():
    e = explain(
        "yolo train model=yolov8s.pt imgsz=620\n"
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 39 but got size 38 for tensor number 1 in the list."
    )
    assert not any("anchors ×" in c for c in e.causes)


def test_an_attention_paste_keeps_the_model_families_of_its_widths():
    e = explain(
        '  File "diffusers/models/attention.py", line 366, in forward\n    attn_output = self.attn2(\n'
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (154x768 and 2048x640)"
    )
    assert "SDXL" in e.causes[0]


def test_the_batchnorm_message_without_its_size_and_a_round_positional_table():
    assert explain("Expected more than 1 value per channel when training").code == "SC108"
    pe = _causes(
        "RuntimeError: The size of tensor a (317) must match the size of tensor b (300) at non-singleton dimension 1"
    )
    assert any("max_len" in c and "300" in c for c in pe)
    assert not any(
        "max_len" in c
        for c in _causes(
            "RuntimeError: The size of tensor a (317) must match the size of tensor b (300) at non-singleton dimension 2"
        )
    )


# ---- held out: collected after the mechanisms were written, from other threads of the same libraries ----

HELD_OUT = [
    (
        "RuntimeError: shape '[8, 3, 17, 13, 13]' is invalid for input of size 344760",
        "ultralytics/yolov3/issues/120",
        ["filters", "classes"],
    ),
    (
        "RuntimeError: shape '[1,3,205,20,20]' is invalid for input of size 102000",
        "WongKinYiu/yolor/issues/251",
        ["filters", "classes"],
    ),
    (
        "  File \"/workspace/yolor/models/models.py\", line 400, in forward\n    p = p.view(bs, self.na, self.no, self.ny, self.nx).permute(0, 1, 3, 4, 2).contiguous()  # prediction\nRuntimeError: shape '[4, 3, 7, 80, 80]' is invalid for input of size 6528000",
        "WongKinYiu/yolor/issues/34",
        ["filters", "classes"],
    ),
    (
        "RuntimeError: shape '[2, 3, 9, 80, 80]' is invalid for input of size 230400",
        "WongKinYiu/PyTorch_YOLOv4/issues/431",
        ["filters", "classes"],
    ),
    (
        "RuntimeError: Given groups=1, weight of size [128, 2, 3, 3], expected input[1, 1, 1895, 66] to have 2 channels, but got 1 channels instead",
        "Lightricks/LTX-2/issues/70",
        ["mono", "stereo"],
    ),
    (
        "RuntimeError: Given groups=1, weight of size 100 2 8, expected input[1, 1, 451924] to have 2 channels, but got 1 channels instead",
        "facebookresearch/demucs/pull/66",
        ["mono", "stereo"],
    ),
    (
        "Error in Demucs processing: Given groups=1, weight of size [48, 2, 8], expected input[1, 1, 343980] to have 2 channels, but got 1 channels instead",
        "ShmuelRonen/ComfyUI-Audio_Quality_Enhancer/issues/4",
        ["mono", "stereo"],
    ),
    (
        "    clean_chunk = model(audio_chunk[None]).audio\nRuntimeError: Given groups=1, weight of size [24, 1, 15], expected input[1, 2, 163840] to have 1 channels, but got 2 channels instead",
        "will-rice/denoisers/issues/21",
        ["mono", "stereo"],
    ),
    (
        "model = RobertaForSequenceClassification(config=config)\nfrom transformers import DataCollatorForLanguageModeling\ndata_collator = DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm=True, mlm_probability=0.15)\nValueError: Expected input batch_size (64) to match target batch_size (8192).",
        "huggingface/transformers/issues/8615",
        ["MaskedLM"],
    ),
    (
        "size mismatch for pos_embed: copying a param with shape torch.Size([1, 14, 14, 768]) from checkpoint, the shape in current model is torch.Size([1, 14, 14, 512]).\n\tsize mismatch for network.0.3.mlp.fc1.weight: copying a param with shape torch.Size([1536, 384]) from checkpoint, the shape in current model is torch.Size([768, 256]).",
        "sail-sg/volo/issues/38",
        ["variant|width"],
    ),
    (
        "size mismatch for refine_net.pos_embed: copying a param with shape torch.Size([1, 64, 384]) from checkpoint, the shape in current model is torch.Size([1, 256, 384]).",
        "princeton-vl/WAFT/issues/4",
        ["patch grid|image size|input size"],
    ),
]


def test_the_held_out_threads_are_told_but_the_one_whose_message_names_no_audio():
    told = [thread for paste, thread, must in HELD_OUT if _told(explain(paste).text(), must, [])]
    # LTX-2's audio encoder is a conv2d over a spectrogram: without a word of audio in the paste, 2 = 2·1 is as
    # likely a concatenation made on one side
    assert set(told) == {thread for _, thread, _ in HELD_OUT} - {"Lightricks/LTX-2/issues/70"}


def test_an_input_with_the_layer_s_features_as_its_rows_is_read_as_transposed_first():
    # CARE-GNN's `(64x1024 and 64x2)`: its answer, the GNN output is [emb, batch] where [batch, emb] is meant
    e = explain("mat1 and mat2 shapes cannot be multiplied (32x500 and 32x10)")
    assert e.causes[0].startswith("the input is transposed") and "x.t()" in e.fixes[0]
    # more rows than features: the layer sized from the rows, as before
    assert (
        not explain("mat1 and mat2 shapes cannot be multiplied (500x32 and 500x10)")
        .causes[0]
        .startswith("the input is transposed")
    )


def test_a_mask_flattened_to_its_square_and_a_sequence_one_past_its_context():
    flat = explain(
        "    attn_scores = attn_scores + attention_mask\n"
        "RuntimeError: The size of tensor a (128) must match the size of tensor b (16384) at non-singleton dimension 3"
    )
    assert "16384 = 128·128" in flat.causes[0]
    generating = explain(
        "    out = model.generate(input_ids, max_new_tokens=256)\n"
        "RuntimeError: The size of tensor a (4096) must match the size of tensor b (4097) at non-singleton dimension 3"
    )
    assert "one token past a 4096-token context" in generating.causes[0]
    # without a generation in the paste, the sides rounded on two paths stay first and the context comes second
    alone = explain(
        "RuntimeError: The size of tensor a (1024) must match the size of tensor b (1025) at non-singleton dimension 3"
    )
    assert not alone.causes[0].startswith("a sequence one token past") and any(
        c.startswith("or a sequence one token past a 1024-token context") for c in alone.causes
    )
