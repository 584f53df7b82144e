"""Real error messages from public threads, for `shapecheck explain`: each with its source and
the family it belongs to. `benchmarks/explain_score.py` scores `explain` on them and
`tests/test_explain_corpus.py` keeps the score from falling.

A message is written as the thread shows it (old wordings, `×` signs, full-width parentheses and
`1only` typos included); the family says what a right explanation is about, written from the
thread, not from what `explain` answers. Families of messages that are not about shapes (a
device, a dtype) are right when `explain` says so and wrong when it tells a shape story.
"""

# family → the rule codes a right explanation may carry ("none": not a shape problem)
FAMILIES = {
    "linear": {"SC101", "SC102"},
    "unflattened": {"SC101"},
    "conv-channels": {"SC104"},
    "norm-channels": {"SC104"},
    "norm-rank": {"SC105"},
    "conv-rank": {"SC105"},
    "dim-range": {"SC105", "SC131"},
    "too-small": {"SC107"},
    "cat": {"SC109"},
    "stack": {"SC109"},
    "checkpoint": {"SC110"},
    "view-stride": {"SC111"},
    "broadcast": {"SC112", "SC119"},
    "expand": {"SC112"},
    "einsum": {"SC112"},
    "view": {"SC113", "SC106"},
    "rnn-input": {"SC115"},
    "rnn-hidden": {"SC116"},
    "attention": {"SC117"},
    "embedding-index": {"SC124"},
    "loss-batch": {"SC106", "SC125"},
    "loss-target": {"SC125"},
    "groups": {"SC104", "SC117"},
    "pixel-shuffle": {"SC104"},
    "layernorm": {"SC104", "SC114"},
    "permute-rank": {"SC105"},
    "interpolate": {"SC105"},
    "transposed": {"SC104"},
    "instance-norm": {"SC108"},
    "export": {"SC100"},
    "none": set(),
}

GH = "https://github.com/"

MESSAGES = [
    # -- Linear: mat1 and mat2 --------------------------------------------------------------
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2×1568 and 1050×10)",
        "https://androidkt.com/fix-runtimeerror-mat1-and-mat2-shapes-cannot-be-multiplied/",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied(128x784 and 100352x128)",
        "https://geekycodes.in/machine-learning/pytorch-cnn-shape-mismatch-error-fixing-mat1-and-mat2-shapes-cannot-be-multiplied/",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (30812x12 and 128x64)",
        GH + "talbenha/cell-tracker-gnn/issues/8",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4608x2048 and 4096x1024)",
        GH + "fartashf/vsepp/issues/49",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x8192 and 512x10)",
        GH + "dzld00/pytorch-manifold-matching/issues/7",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x131072 and 25088x512)",
        GH + "a312863063/SimSwapHD/issues/21",
    ),
    (
        "unflattened",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x4096)",
        GH + "udacity/deep-learning-v2-pytorch/issues/396",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x18 and 512x1024)",
        GH + "nv-tlabs/datasetGAN_release/issues/49",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1920x2048 and 4096x512)",
        GH + "ekosman/AnomalyDetectionCVPR2018-Pytorch/issues/230",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x1536 and 2048x1280)",
        GH + "xinsir6/ControlNetPlus/issues/88",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x2560 and 2816x1280）",
        GH + "AUTOMATIC1111/stable-diffusion-webui/issues/14147",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x10 and 768x1280)",
        GH + "LAION-AI/dalle2-laion/issues/38",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2112x1000 and 96x96)",
        GH + "OpenGVLab/InternImage/issues/315",
    ),
    (
        "linear",
        "RuntimeError:mat1 and mat2 shapes cannot be multiplied (512x2304 and 256x4)",
        GH + "stoneMan349/Reinforcement-learning-for-multi-AGV-pathfinding/issues/2",
    ),
    (
        "linear",
        "RuntimeError: size mismatch, m1: [6 x 12], m2: [30 x 12] at /opt/conda/conda-bld/pytorch_1591914855613/work/aten/src/TH/generic/THTensorMath.cpp:41",
        GH + "wouterkool/attention-learn-to-route/issues/23",
    ),
    (
        "linear",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x256 and 1x256)",
        GH + "spro/practical-pytorch/issues/135",
    ),
    (
        "none",
        "Expected all tensors to be on the same device, but found at least two devices, cpu and cuda:0! (when checking argument for argument mat1 in method wrapper_CUDA_addmm)",
        GH + "kijai/ComfyUI-FluxTrainer/issues/116",
    ),
    # -- conv channels ----------------------------------------------------------------------
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [16, 3, 3, 3], expected input[1, 1, 32, 32] to have 3 channels, but got 1 channels instead",
        "https://errorcanon.top/errors/pytorch/conv2d-channels-mismatch/index.md",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [32, 1, 3, 3], expected input[32, 3, 224, 224] to have 1 channels, but got 3 channels instead",
        "https://taourl.com/read-2182898.html",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [16, 1, 5, 5], expected input[100, 3, 256, 256] to have 1 channels, but got 3 channels instead",
        "https://duoke360.com/post/34762",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [64, 3, 3, 3], expected input[16, 1, 28, 28] to have 3 channels, but got 1 channels instead",
        "https://www.iiask.com/34l58747.html",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [64, 64, 1, 1], expected input[4, 1, 1080, 1920] to have 64 channels, but got 1 channels instead",
        "https://duoke360.com/post/34764",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [64, 3, 7, 7], expected input[1, 1, 100, 100] to have 3 channels, but got 1 channels instead",
        GH + "jacobgil/pytorch-grad-cam/issues/141",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [64, 3, 7, 7], expected input[64, 1, 224, 224] to have 3 channels, but got 1 channels instead",
        GH + "lucidrains/vit-pytorch/issues/54",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [64, 3, 7, 7], expected input[64, 1, 150, 150] to have 3 channel",
        GH + "moskomule/senet.pytorch/issues/24",
    ),
    (
        "conv-channels",
        "Given groups=1, weight of size [1536, 16, 1, 2, 2], expected input[1, 36, 22, 60, 104] to have 16 channels, but got 36 channels instead",
        GH + "kijai/ComfyUI-WanVideoWrapper/issues/521",
    ),
    # -- norm layers ------------------------------------------------------------------------
    (
        "norm-channels",
        "RuntimeError: running_mean should contain 1 elements not 32",
        GH + "TylerYep/torchinfo/issues/18",
    ),
    # -- ranks ------------------------------------------------------------------------------
    (
        "conv-rank",
        "RuntimeError: Expected 5-dimensional input for 5-dimensional weight 64 3 7 7, but got 4-dimensional input of size [300, 3, 128, 64] instead",
        GH + "KaiyangZhou/deep-person-reid/issues/256",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 5-dimensional input for 5-dimensional weight 64 3 3 3 3, but got 4-dimensional input of size [100, 3, 224, 224] instead",
        GH + "msyim/VGG16/issues/1",
    ),
    (
        "conv-rank",
        "RuntimeError: 2D or 4D weight tensor expected, but got: [64 x 3 x 3 x 3 x 3] at /py/conda-bld/pytorch_1490903321756/work/torch/lib/THNN/generic/SpatialConvolutionMM.c:15",
        GH + "pytorch/pytorch/issues/1431",
    ),
    (
        "conv-rank",
        "I don't know whyExpected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [1, 16, 9, 64, 64]",
        GH + "Comfy-Org/ComfyUI/issues/8590",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [1, 6, 6, 512, 512]",
        GH + "VisionRush/DeepFakeDefenders/issues/30",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 8, 3, 512, 512]",
        GH + "long123524/SEANet_torch/issues/4",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [1, 16, 3, 512, 512]",
        GH + "open-mmlab/mmdetection/issues/9579",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: [1, 1, 16, 240, 240, 160]",
        GH + "amir-aghdam/3D-UNet/issues/5",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [32, 1, 20, 512, 512]",
        GH + "mueller-franzes/medfusion/issues/19",
    ),
    (
        "conv-rank",
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [32, 1024]",
        GH + "CGCL-codes/AdvCLIP/issues/3",
    ),
    (
        "conv-rank",
        "Invalid argument 2: 3D or 4D input tensor expected but got: [32 x 784] at /tmp/luarocks_nn-scm-1-8028/nn/lib/THNN/generic/SpatialConvolutionMM.c:33",
        GH + "hughperkins/pytorch/issues/39",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [4, 8, 14, 112, 112]",
        GH + "huggingface/pytorch-image-models/issues/1854",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [1, 1, 3, 336, 336]",
        GH + "JIA-Lab-research/MGM/issues/40",
    ),
    (
        "conv-rank",
        "RuntimeError: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [32, 24, 1, 12]",
        GH + "leizhang-geo/ST-CausalConvNet/issues/1",
    ),
    (
        "dim-range",
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        GH + "Kaixhin/FCN-semantic-segmentation/issues/12",
    ),
    (
        "dim-range",
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        GH + "JensonZhu14/AcGAN/issues/4",
    ),
    (
        "dim-range",
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        GH + "SwinTransformer/Swin-Transformer-Object-Detection/issues/79",
    ),
    (
        "dim-range",
        "pred = pred.max(dim=2)[1]，IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        GH + "mutianxu/GDANet/issues/5",
    ),
    (
        "dim-range",
        "RuntimeError: dimension out of range (expected to be in range of [-1, 0], but got 1)",
        GH + "hpzhao/SummaRuNNer/issues/5",
    ),
    (
        "dim-range",
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        GH + "Joyako/SphereFace-pytorch/issues/3",
    ),
    (
        "dim-range",
        "IndexError: Dimension out of range (expected to be in range of [-3, 2], but got 3)",
        GH + "yifan123/flow_grpo/issues/80",
    ),
    (
        "dim-range",
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        GH + "ishaqadenali/SVRG-Pytorch/issues/1",
    ),
    (
        "dim-range",
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        GH + "kyegomez/zeta/issues/113",
    ),
    # -- too small --------------------------------------------------------------------------
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (3 x 3). Kernel size: (4 x 4). Kernel size can't be greater than actual input size",
        GH + "Ha0Tang/SelectionGAN/issues/5",
    ),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (3 x 3). Kernel size: (4 x 4). Kernel size can't be greater than actual input size",
        GH + "avalonstrel/GatedConvolution_pytorch/issues/31",
    ),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (258 x 2). Kernel size: (3 x 3). Kernel size can't be greater than the actual input size.",
        GH + "znxlwm/pytorch-CartoonGAN/issues/20",
    ),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (386 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
        GH + "bmaltais/kohya_ss/issues/1149",
    ),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (2). Kernel size: (3). Kernel size can't be greater than actual input size",
        GH + "ZiqiaoPeng/SyncTalk/issues/151",
    ),
    ("too-small", "Input size is (3, 3) smaller than the kernel size (4, 4)", GH + "XPixelGroup/BasicSR/issues/249"),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
        GH + "kijai/ComfyUI-Marigold/issues/34",
    ),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (1 x 4). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
        GH + "tamarott/SinGAN/issues/28",
    ),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (2 x 5). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
        GH + "tamarott/SinGAN/issues/28",
    ),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (1024 x 2). Kernel size: (16 x 16). Kernel size can't be greater than actual input size",
        GH + "ImprintLab/Medical-SAM-Adapter/issues/40",
    ),
    (
        "too-small",
        "RuntimeError: Calculated padded input size per channel: (66 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
        GH + "Comfy-Org/ComfyUI/issues/7095",
    ),
    (
        "too-small",
        "RuntimeError: Given input size: (512x1x1). Calculated output size: (512x0x0). Output size is too small",
        GH + "jantic/DeOldify/issues/493",
    ),
    (
        "too-small",
        "Given input size: (192x2x2). Calculated output size: (192x0x0). Output size is too small",
        GH + "ashawkey/RAD-NeRF/issues/25",
    ),
    (
        "too-small",
        "RuntimeError: Given input size: (2048x1x1). Calculated output size: (2048x-5x-5). Output size is too small",
        GH + "KaihuaTang/Long-Tailed-Recognition.pytorch/issues/29",
    ),
    (
        "too-small",
        "RuntimeError: Given input size: (1280x1x1). Calculated output size: (1280x0x0). Output size is too small",
        GH + "liuzechun/MetaPruning/issues/22",
    ),
    (
        "too-small",
        "RuntimeError: Given input size: (384x40x42). Calculated output size: (384x0x1). Output size is too small",
        GH + "mkang315/RCS-YOLO/issues/12",
    ),
    (
        "too-small",
        "RuntimeError: Given input size: (1024x4x4). Calculated output size: (1024x0x0). Output size is too small",
        GH + "pppLang/SKNet/issues/15",
    ),
    (
        "too-small",
        "RuntimeError: Given input size: (64x64x64x1). Calculated output size: (64x32x32x0). Output size is too small",
        GH + "leohsuofnthu/Pytorch-IterativeFCN/issues/12",
    ),
    (
        "too-small",
        "RuntimeError: Input and output sizes should be greater than 0, but got input (H: 128, W: 128) output (H: 0, W: 0)",
        GH + "Megvii-BaseDetection/YOLOX/issues/1227",
    ),
    (
        "too-small",
        "RuntimeError: Given input size: (3x1024x512). Calculated output size: (3x1x0). Output size is too small",
        GH + "Lose-Code/UBRFC-Net/issues/1",
    ),
    (
        "too-small",
        "Help! RuntimeError: Given input size: (512x8x1x14). Calculated output size: (512x4x0x7). Output size is too small",
        GH + "open-mmlab/mmaction2/issues/1629",
    ),
    (
        "too-small",
        "验证时候遇到“RuntimeError:Given input size :(256*56*52).Calculated output size:(256*1*0).Output size is too small”问题",
        GH + "ming71/CFC-Net/issues/9",
    ),
    (
        "too-small",
        "，Calculated output size: (192x0x0). Output size is too small",
        GH + "Fictionarry/ER-NeRF/issues/13",
    ),
    # -- cat / stack ------------------------------------------------------------------------
    (
        "cat",
        "RuntimeError: Sizes of tensors must match except in dimension 2. Got 70 and 71 (The offending index is 0)",
        GH + "lbktrinh/UNet_scAG/issues/1",
    ),
    (
        "cat",
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 61 but got size 60 for tensor number 1 in the list.",
        GH + "bigmb/Unet-Segmentation-Pytorch-Nest-of-Unets/issues/55",
    ),
    (
        "cat",
        "RuntimeError: invalid argument 0: Sizes of tensors must match except in dimension 1. Got 7 and 6 in dimension 2 at /pytorch/aten/src/THC/generic/THCTensorMath.cu:83",
        GH + "AliaksandrSiarohin/first-order-model/issues/50",
    ),
    (
        "cat",
        "RuntimeError: invalid argument 0: Sizes of tensors must match except in dimension 1. Got 20 and 21 in dimension 2 at /pytorch/aten/src/TH/generic/THTensor.cpp:689",
        GH + "qubvel-org/segmentation_models.pytorch/issues/93",
    ),
    (
        "cat",
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 32 but got size 64 for tensor number 1 in the list.",
        GH + "Beckschen/TransUNet/issues/74",
    ),
    (
        "cat",
        "RuntimeError: inconsistent tensor sizes at /opt/conda/conda-bld/pytorch_1503970438496/work/torch/lib/THC/generic/THCTensorMath.cu:141",
        GH + "Hsuxu/carvana-pytorch-uNet/issues/1",
    ),
    (
        "cat",
        "Sizes of tensors cannot match except in dimension 1 when change different image_size and patch_size",
        GH + "TIO-IKIM/CellViT/issues/95",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [22] at entry 0 and [106] at entry 1",
        GH + "taishan1994/pytorch_triple_extraction/issues/21",
    ),
    (
        "stack",
        "stack expects each tensor to be equal size, but got [2, 2400, 3] at entry 0 and [2, 2332, 3] at entry 1",
        GH + "chungyiweng/humannerf/issues/21",
    ),
    (
        "stack",
        "stack expects each tensor to be equal size, but got [4, 72, 120] at entry 0 and [4, 80, 112] at entry 2",
        GH + "bmaltais/kohya_ss/issues/823",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [3, 288, 224] at entry 0 and [3, 320, 256] at entry 1",
        GH + "mk-minchul/dcface/issues/11",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [8, 256, 192] at entry 0 and [5, 256, 192] at entry 2",
        GH + "fyviezhao/M3D-VTON/issues/14",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [327680, 2] at entry 0 and [327680] at entry 6",
        GH + "jongwook/onsets-and-frames/issues/27",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [4, 128, 170] at entry 0 and [4, 96, 128] at entry 2",
        GH + "bghira/SimpleTuner/issues/59",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [2] at entry 0 and [1] at entry 2,",
        GH + "QwenLM/Qwen-VL/issues/231",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [3, 128, 128] at entry 0 and [3, 218, 178] at entry 15",
        GH + "PRIS-CV/WFEN/issues/11",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [1080, 1920] at entry 0 and [720, 1280] at entry 2",
        GH + "YangChangHee/ICCV2023_SEFD_RELEASE/issues/12",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [3, 112, 112] at entry 0 and [3, 112, 111] at entry 15",
        GH + "foamliu/InsightFace-v2/issues/36",
    ),
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [1, 2] at entry 0 and [1, 3] at entry 1",
        GH + "pytorch/pytorch/pull/32931",
    ),
    # -- checkpoints ------------------------------------------------------------------------
    (
        "checkpoint",
        "size mismatch for pos_embed: copying a param with shape torch.Size([1, 198, 768]) from checkpoint, the shape in current model is torch.Size([1, 197, 768]).",
        GH + "openmedlab/PathoDuet/issues/11",
    ),
    # -- views ------------------------------------------------------------------------------
    (
        "view-stride",
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
        GH + "JDAI-CV/Down-to-the-Last-Detail-Virtual-Try-on-with-Detail-Carving/issues/28",
    ),
    (
        "view-stride",
        "RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
        GH + "sergeywong/cp-vton/issues/30",
    ),
    (
        "view",
        "RuntimeError: shape '[32, 128, 9, 9]' is invalid for input of size 802816",
        GH + "wbw520/scouter/issues/10",
    ),
    (
        "view",
        "RuntimeError: shape '[-1, 2, 768]' is invalid for input of size 33024",
        GH + "TencentYoutuResearch/PersonReID-NAFS/issues/18",
    ),
    (
        "view",
        "RuntimeError: shape '[32, 1, 49, 3, 32]' is invalid for input of size 49152.",
        GH + "NVlabs/GCVit/issues/26",
    ),
    ("view", "RuntimeError: shape '[-1, 400]' is invalid for input of size 384", GH + "pytorch/pytorch/issues/38469"),
    (
        "view",
        "RuntimeError: shape '[1000, 1024, 1]' is invalid for input of size 8192000",
        GH + "neuraloperator/neuraloperator/issues/6",
    ),
    (
        "view",
        "RuntimeError: shape '[-1, 144, 40]' is invalid for input of size 16800",
        GH + "kanezaki/pytorch-rotationnet/issues/9",
    ),
    (
        "view",
        "RuntimeError: shape '[16, 34, 34, 512]' is invalid for input of size 8921088",
        GH + "ashutosh1807/PixelFormer/issues/18",
    ),
    ("view", "RuntimeError: shape '[-1, 115200]' is invalid for input of size 72000", GH + "weka511/hpa-scc/issues/38"),
    (
        "view",
        "RuntimeError: shape '[8, 59920, 64]' is invalid for input of size 122716160",
        GH + "yangyangxu0/DeMT/issues/4",
    ),
    (
        "view",
        "RuntimeError: shape '[-1, 29491, 16]' is invalid for input of size 2304",
        GH + "DrowsyMon/RMFormer/issues/1",
    ),
    # -- broadcasting -----------------------------------------------------------------------
    (
        "broadcast",
        "RuntimeError: The size of tensor a (2) must match the size of tensor b (39) at non-singleton dimension 1",
        "https://duoke360.com/post/35002",
    ),
    (
        "broadcast",
        "RuntimeError: The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0",
        "https://duoke360.com/post/34061",
    ),
    (
        "broadcast",
        "RuntimeError: The size of tensor a (133) must match the size of tensor b (10) at non-singleton dimension 1",
        "http://www.kouhan.cn/en/article/00050409",
    ),
    (
        "broadcast",
        "RuntimeError: The size of tensor a (64) must match the size of tensor b (256) at non-singleton dimension 3",
        GH + "AndreaCodegoni/Tiny_model_4_CD/issues/2",
    ),
    (
        "broadcast",
        "RuntimeError: The size of tensor a (5) must match the size of tensor b (197) at non-singleton dimension 1",
        GH + "jeonsworld/ViT-pytorch/issues/3",
    ),
    (
        "broadcast",
        "RuntimeError: The size of tensor a (128) must match the size of tensor b (1024) at non-singleton dimension 3",
        GH + "surajdakua/Crowd-Counting-Using-Pytorch/issues/4",
    ),
    (
        "broadcast",
        "RuntimeError: The size of tensor a (2) must match the size of tensor b (208) at non-singleton dimension 1",
        GH + "DHPO/GHM_Loss.pytorch/issues/2",
    ),
    (
        "broadcast",
        "RuntimeError: The size of tensor a (1024) must match the size of tensor b (3072) at non-singleton dimension 2",
        GH + "aim-uofa/FreeCustom/issues/11",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (3) must match the existing size (864) at non-singleton dimension 3",
        GH + "microsoft/singleshotpose/issues/33",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (5) must match the existing size (4) at non-singleton dimension 1.  Target sizes: [32, 5].  Tensor sizes: [4]",
        GH + "jbohnslav/deepethogram/issues/123",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (64) must match the existing size (96) at non-singleton dimension 1.  Target sizes: [96, 64].  Tensor sizes: [96]",
        GH + "rxtan2/Learning-Similarity-Conditions/issues/12",
    ),
    (
        "expand",
        "The expanded size of the tensor (512) must matcth the existing size (1280) at non-singeton dimension8. Target sizes: [512,4096]. Tensor sizes: [1280, 48961]",
        GH + "Yuliang-Liu/Monkey/issues/161",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (100) must match the existing size (99) at non-singleton dimension 0. Target sizes: [100, 1024]. Tensor sizes: [99, 1024]",
        GH + "0809zheng/dogs-VS-cats-pytorch/issues/1",
    ),
    (
        "expand",
        "The expanded size of the tensor (749) must match the existing size (750) at non-singleton dimension 1.  Target sizes: [1, 749].  Tensor sizes: [1, 750]",
        GH + "zhongpei/Comfyui_image2prompt/issues/31",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (256) must match the existing size (512) at non-singleton dimension 1",
        GH + "Kaixhin/FCN-semantic-segmentation/issues/8",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (20) must match the existing size (4) at non-singleton dimension 2. Target sizes: [4, 13294, 20]. Tensor sizes: [20, 1, 4]",
        GH + "silent-chen/DGE/issues/27",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (15) must match the existing size (150) at non-singleton dimension 0",
        GH + "yuzhimanhua/Multi-BioNER/issues/13",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (9) must match the existing size (8) at non-singleton dimension 3.  Target sizes: [1, 1, 6, 9].  Tensor sizes: [5, 8]",
        GH + "xhp-hust-2018-2011/S-DCNet/issues/13",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (1224) must match the existing size (370) at non-singleton dimension 2",
        GH + "aitorzip/PyTorch-CycleGAN/issues/36",
    ),
    (
        "expand",
        "RuntimeError: The expanded size of the tensor (1000) must match the existing size (1289) at non-singleton dimension 1. Target sizes: [1, 1000, 16, 64]. Tensor sizes: [1289, 16, 64]",
        GH + "kyutai-labs/pocket-tts/issues/65",
    ),
    (
        "einsum",
        "RuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: [277, 8, 1, 234]->[277, 8, 234, 1, 1] [1, 64, 64]->[1, 1, 64, 64, 1]",
        GH + "jeya-maria-jose/Medical-Transformer/issues/77",
    ),
    (
        "einsum",
        "RuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: [32, 4096, 40]->[32, 4096, 1, 40] [8, 77, 40]->[8, 1, 77, 40]",
        GH + "salesforce/EDICT/issues/11",
    ),
    (
        "einsum",
        "RuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: [25, 4096, 64]->[25, 4096, 1, 64] [5, 77, 64]->[5, 1, 77, 64]",
        GH + "IanYeung/MGLD-VSR/issues/13",
    ),
    (
        "einsum",
        "RuntimeError: size of dimension does not match previous size, operand 1, dim 1",
        GH + "jeya-maria-jose/Medical-Transformer/issues/77",
    ),
    # -- sequence models --------------------------------------------------------------------
    (
        "rnn-input",
        "RuntimeError: input.size(-1) must be equal to input_size. Expected 300, got 100",
        GH + "xiaojunxu/SQLNet/issues/59",
    ),
    ("rnn-input", "input.size(-1) must be equal to input_size. Expected 1024, got 768", GH + "ljynlp/W2NER/issues/23"),
    (
        "rnn-hidden",
        "Input batch size 1 doesn't match hidden[0] batch size 512",
        GH + "PetrochukM/PyTorch-NLP/issues/62",
    ),
    (
        "rnn-hidden",
        "RuntimeError: Expected hidden size (3, 64, 12), got (3, 16, 12)",
        GH + "pytorch/pytorch/issues/15260",
    ),
    (
        "attention",
        "RuntimeError: The shape of the 2D attn_mask is torch.Size([25, 25]), but should be (109, 109).",
        GH + "ltttpku/CMD-SE-release/issues/3",
    ),
    (
        "attention",
        "RuntimeError: The shape of the 2D attn_mask is torch.Size([77, 77]), but should be (1, 1).",
        GH + "soon-yau/visconet/issues/8",
    ),
    (
        "attention",
        "RuntimeError: The shape of the 2D attn_mask is torch.size([77, 77]), but should be (2, 2).",
        GH + "kopperx/Adv-Diffusion/issues/11",
    ),
    (
        "attention",
        "[Tensor shape error] The shape of the 2D attn_mask is torch.Size([77, 77]), but should be (25, 25).",
        GH + "cvlab-columbia/videopolicy/issues/1",
    ),
    (
        "attention",
        "ValueError: Incompatible shapes for attention inputs: query.shape: torch.Size([8, 1500, 10, 64]) key.shape : torch.Size([2, 1500, 10, 64]) value.shape: torch.Size([2, 1500, 10, 64])",
        GH + "feffy380/sd-webui-token-downsampling/issues/2",
    ),
    (
        "attention",
        "ValueError: Incompatible shapes for attention inputs: query.shape: torch.Size([20, 9216, 64]) key.shape : torch.Size([40, 77, 64]) value.shape: torch.Size([40, 77, 64])",
        GH + "tiny-smart/in-context-matting/issues/5",
    ),
    (
        "attention",
        "terminate called after throwing an instance of 'c10::Error' what(): key.sizes() == value.sizes() INTERNAL ASSERT FAILED at \"torch/csrc/api/include/torch/nn/functional/activation.h\":675, please report a bug to PyTorch.",
        GH + "pytorch/pytorch/issues/120793",
    ),
    (
        "embedding-index",
        "RuntimeError: index out of range: Tried to access index 100 out of table with 99 rows.",
        GH + "bentrevett/pytorch-seq2seq/issues/89",
    ),
    ("embedding-index", "IndexError: index out of range in self", GH + "allenai/longformer/issues/187"),
    (
        "embedding-index",
        "return torch.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse) IndexError: index out of range in self",
        GH + "pzelasko/daseg/issues/11",
    ),
    ("embedding-index", "IndexError: index out of range in self", GH + "huggingface/sentence-transformers/issues/1600"),
    (
        "embedding-index",
        "return torch.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse) IndexError: index out of range in self",
        GH + "snel-repo/neural-data-transformers/issues/1",
    ),
    (
        "embedding-index",
        'File "/mnt/project/seqvec-search/.venv/lib/python3.8/site-packages/torch/nn/functional.py", line 1852, in embedding return torch.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse) IndexError: index out of range in self',
        GH + "facebookresearch/esm/issues/49",
    ),
    (
        "embedding-index",
        "Pre-trained model raises IndexError: index out of range in self",
        GH + "FudanNLP/CPT/issues/85",
    ),
    (
        "embedding-index",
        "Model fails with index out of range in self when used on a text-classification pipeline",
        GH + "pysentimiento/robertuito/issues/3",
    ),
    # -- losses ---------------------------------------------------------------------------
    (
        "loss-batch",
        "ValueError: Expected input batch_size (60) to match target batch_size (10).",
        GH + "pytorch/pytorch/issues/139031",
    ),
    (
        "loss-batch",
        "自定义数据集训练的时候出现 ValueError: Expected input batch_size (103) to match target batch_size (95).",
        GH + "hiyouga/LlamaFactory/issues/3765",
    ),
    (
        "loss-batch",
        "ValueError: Expected input batch_size (16) to match target batch_size (20).",
        GH + "rentruewang/aioway/issues/13",
    ),
    (
        "loss-batch",
        "ValueError: Expected input batch_size (1324) to match target batch_size (0).",
        GH + "Google-Health/medgemma/issues/12",
    ),
    (
        "loss-batch",
        "ValueError: Expected input batch_size (882) to match target batch_size (768).",
        GH + "zhiqic/ChartReader/issues/15",
    ),
    (
        "loss-batch",
        "ValueError: Expected input batch_size (500) to match target batch_size (1).",
        GH + "singhsourabh/Resume-NER/issues/6",
    ),
    ("loss-batch", "Expected input batch_size (8) to match target batch_size (32)", GH + "deepset-ai/FARM/issues/100"),
    (
        "loss-batch",
        "ValueError: Expected input batch_size (183000) to match target batch_size (187500).",
        GH + "meetps/pytorch-semseg/issues/127",
    ),
    (
        "loss-batch",
        "ValueError: Expected input batch_size (1216) to match target batch_size (1280)",
        GH + "gauthierdmn/question_generation/issues/4",
    ),
    (
        "loss-target",
        "UserWarning: Using a target size (torch.Size([8, 18])) that is different to the input size (torch.Size([1, 18])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "weka511/hpa-scc/issues/38",
    ),
    (
        "loss-target",
        "UserWarning: Using a target size (torch.Size([128])) that is different to the input size (torch.Size([1, 128])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "yandexdataschool/nlp_course/pull/110",
    ),
    (
        "loss-target",
        "loss.py:535: UserWarning: Using a target size (torch.Size([1, 1])) that is different to the input size (torch.Size([10, 1])).",
        GH + "andrewgcodes/xlstm/issues/4",
    ),
    (
        "loss-target",
        "UserWarning: Using a target size (torch.Size([66])) that is different to the input size (torch.Size([66, 3, 1])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "jiaqingxie/DeepProtein/issues/1",
    ),
    (
        "loss-target",
        "UserWarning: Using a target size (torch.Size([1])) that is different to the input size (torch.Size([])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "DeepReinforcementLearning/DeepReinforcementLearningInAction/issues/15",
    ),
    (
        "loss-target",
        "Using a target size (torch.Size([1, 1, 768, 1024])) that is different to the input size (torch.Size([1, 1, 96, 128])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "surajdakua/Crowd-Counting-Using-Pytorch/issues/4",
    ),
    (
        "loss-target",
        "sacwalker.py:139: UserWarning: Using a target size (torch.Size([64, 4])) that is different to the input size (torch.Size([64, 1])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "sunwuzhou03/reinforcement-learning-lab/issues/1",
    ),
    (
        "loss-target",
        "UserWarning: Using a target size (torch.Size([2, 16, 5, 60, 100])) that is different to the input size (torch.Size([1, 16, 5, 60, 100])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "aigc-apps/VideoX-Fun/issues/263",
    ),
    (
        "loss-target",
        "UserWarning: **Using a target size (torch.Size([32, 1])) that is different to the input size (torch.Size([32]))**. This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "deepset-ai/FARM/issues/229",
    ),
    (
        "loss-target",
        "UserWarning: Using a target size (torch.Size([1])) that is different to the input size (torch.Size([])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "hosseinshn/GradNorm/issues/5",
    ),
    (
        "loss-target",
        "Using a target size (torch.Size([1, 1])) that is different to the input size (torch.Size([1, 1, 1])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        GH + "AIStream-Peelout/flow-forecast/issues/246",
    ),
    (
        "loss-target",
        "ValueError: Target size (torch.Size([16])) must be the same as input size (torch.Size([16, 1]))",
        GH + "pytorch/pytorch/issues/25663",
    ),
    (
        "loss-target",
        "ValueError: Target size (torch.Size([64, 21])) must be the same as input size (torch.Size([64, 12]))",
        GH + "jiangqy/ADSH-AAAI2018/issues/5",
    ),
    (
        "loss-target",
        "ValueError: Using a target size (torch.Size([4])) that is different to the input size (torch.Size([4, 2])) is deprecated. Please ensure they have the same size.",
        GH + "patrickloeber/pytorchTutorial/issues/30",
    ),
    (
        "loss-target",
        "Target size (torch.Size([8400, 1])) must be the same as input size (torch.Size([16800, 1]))",
        GH + "Megvii-BaseDetection/YOLOX/issues/797",
    ),
    (
        "loss-target",
        "ValueError: Target size (torch.Size([2, 32, 480, 640])) must be the same as input size (torch.Size([2, 20, 480, 640]))",
        GH + "pochih/FCN-pytorch/issues/15",
    ),
    (
        "loss-target",
        "ValueError: Using a target size (torch.Size([64])) that is different to the input size (torch.Size([64, 1])) is deprecated. Please ensure they have the same size.",
        GH + "Arctanxy/W-Net-PyTorch/issues/15",
    ),
    (
        "loss-target",
        "ValueError: Target size (torch.Size([1, 3, 256, 256])) must be the same as input size (torch.Size([1, 1, 256, 256]))",
        GH + "milesial/Pytorch-UNet/issues/244",
    ),
    (
        "loss-target",
        "ValueError: Target and input must have the same number of elements. target nelement (735) != input nelement (420)",
        GH + "jiangqy/ADSH-AAAI2018/issues/5",
    ),
    (
        "loss-target",
        "RuntimeError: 1only batches of spatial targets supported (3D tensors) but got targets of size: : [1, 3, 840, 840]",
        GH + "fyu/drn/issues/57",
    ),
    (
        "loss-target",
        "RuntimeError: 1only batches of spatial targets supported (3D tensors) but got targets of size: : [1, 1, 512, 512]",
        GH + "tiangexiang/BiO-Net/issues/10",
    ),
    (
        "loss-target",
        "RuntimeError: 1only batches of spatial targets supported (non-empty 3D tensors) but got targets of size: : [4, 976]",
        GH + "elnino9ykl/ERF-PSPNet/issues/3",
    ),
    (
        "loss-target",
        "RuntimeError: 1only batches of spatial targets supported (3D tensors) but got targets of size: : [1, 1, 187, 621]",
        GH + "milesial/Pytorch-UNet/issues/226",
    ),
    (
        "loss-target",
        "RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of size: : [2, 256, 256, 3]",
        GH + "open-mmlab/mmsegmentation/issues/3055",
    ),
    (
        "loss-target",
        "RuntimeError: 1only batches of spatial targets supported (non-empty 3D tensors) but got targets of size: : [16, 513, 513, 4]",
        GH + "jfzhang95/pytorch-deeplab-xception/issues/185",
    ),
    (
        "loss-target",
        "RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of dimension: 4",
        GH + "jfzhang95/pytorch-deeplab-xception/issues/189",
    ),
    (
        "loss-target",
        "RuntimeError: multi-target not supported at d:\\projects\\pytorch\\torch\\lib\\thnn\\generic/ClassNLLCriterion.c:22",
        GH + "pytorch/pytorch/issues/3670",
    ),
    (
        "loss-target",
        "RuntimeError: 1only batches of spatial targets supported (3D tensors) but got targets of size: : [4, 2, 96, 128]",
        GH + "PrabhuSM16/VPGNet-Pytorch/issues/6",
    ),
    (
        "loss-target",
        "RuntimeError: 1only batches of spatial targets supported (non-empty 3D tensors) but got targets of size: : [1, 512, 512, 3]",
        GH + "cosmic-cortex/pytorch-UNet/issues/11",
    ),
    # -- construction -----------------------------------------------------------------------
    ("groups", "ValueError: num_channels must be divisible by num_groups", GH + "Seunggu0305/VLCounter/issues/6"),
    (
        "groups",
        'raise ValueError("num_channels must be divisible by num_groups") ValueError: num_channels must be divisible by num_groups',
        GH + "atong01/conditional-flow-matching/issues/161",
    ),
    (
        "groups",
        "RuntimeError: Expected number of channels in input to be divisible by num_groups, but got input of shape [1, 6, 4, 4] and num_groups=5",
        GH + "pytorch/pytorch/pull/74293",
    ),
    ("groups", "ValueError: in_channels must be divisible by groups", GH + "jaxony/ShuffleNet/issues/5"),
    (
        "pixel-shuffle",
        "RuntimeError: pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=63 is not divisible by 16",
        GH + "Snowfallingplum/SHMT/issues/1",
    ),
    # -- not shape problems -----------------------------------------------------------------
    (
        "none",
        "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
        GH + "BenMSK/trajectory_prediction_TraPHic/issues/1",
    ),
    (
        "none",
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
        GH + "nunchux-ai/nunchaku/issues/805",
    ),
    (
        "none",
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
        GH + "XinzeLee/RotateObjectDetection/issues/27",
    ),
    (
        "none",
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
        GH + "RonyAbecidan/ManTraNet-pytorch/issues/2",
    ),
    (
        "none",
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu",
        GH + "hangyu94/Ada-CM/issues/10",
    ),
    (
        "none",
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cpu and cuda:0!",
        GH + "tsugumi-sys/SA-ConvLSTM-Pytorch/pull/26",
    ),
    (
        "none",
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cpu and cuda:0! (when checking argument for argument mat2 in method wrapper_mm)",
        GH + "wmyw96/FAST-NN/issues/1",
    ),
    (
        "none",
        "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! error",
        GH + "seigot/tetris/issues/56",
    ),
    (
        "none",
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
        GH + "syuu1987/geekTime-semantic-segmentation/issues/1",
    ),
    ("none", "RuntimeError: expected scalar type Double but found Float", GH + "OUCMachineLearning/OUCML/issues/24"),
    ("none", "RuntimeError: expected scalar type Float but found Double", GH + "sebsk/CS224N-Project/pull/2"),
    ("none", "RuntimeError: expected Double tensor (got Float tensor)", GH + "pytorch/pytorch/issues/2138"),
    (
        "none",
        "RuntimeError: Input type (torch.cuda.DoubleTensor) and weight type (torch.cuda.FloatTensor) should be the same",
        GH + "timeseriesAI/tsai/issues/468",
    ),
    ("none", "RuntimeError: expected scalar type Double but found Float", GH + "Xillv/Code-for-AEGCN-Glove/issues/3"),
    (
        "none",
        "RuntimeError: Input type (torch.cuda.DoubleTensor) and weight type (torch.cuda.FloatTensor) should be the same",
        GH + "wujiyang/MTCNN_TRAIN/issues/3",
    ),
    (
        "none",
        "RuntimeError: Input type (torch.cuda.DoubleTensor) and weight type (torch.cuda.FloatTensor) should be the same.",
        GH + "ZhaoyangLyu/Point_Diffusion_Refinement/issues/13",
    ),
    (
        "none",
        "Input type (torch.cuda.DoubleTensor) and weight type (torch.cuda.FloatTensor) should be the same",
        GH + "zylo117/Yet-Another-EfficientDet-Pytorch/issues/94",
    ),
    (
        "none",
        "TypeError: is_same_size received an invalid combination of arguments - got (torch.cuda.FloatTensor), but expected (torch.cuda.ByteTensor other)",
        GH + "pytorch/pytorch/issues/2403",
    ),
    # -- issue 31, third round: messages studied while the rounded-sides and expand readings were built --
    (
        "broadcast",
        "RuntimeError: The size of tensor a (245) must match the size of tensor b (244) at non-singleton dimension 2",
        GH + "pytorch/pytorch/issues/9446",
    ),
    (
        "broadcast",
        "RuntimeError: The size of tensor a (150) must match the size of tensor b (152) at non-singleton dimension 3",
        GH + "jiwei0921/DMRA/issues/5",
    ),
    (
        "expand",
        "Inference failed: The expanded size of the tensor (3072) must match the existing size (7603) at non-singleton dimension 0. Target sizes: [3072, 9]. Tensor sizes: [7603, 9]",
        GH + "pinokiofactory/dia/issues/5",
    ),
    # -- issue 31, second round: messages studied while the traceback, view, interpolate and model-family
    # readings were built (tests/explain_heldout.py's LATER was collected after them) ---------------
    (
        "einsum",
        'File "/home/ch/PhD/projects/xtbML/src/xtbml/coulomb/secondorder.py", line 230, in get_shell_potential\n    torch.einsum("...ik,...k->...i", cache.mat, charges)\nRuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: [6, 53, 53]->[6, 53, 53] [6, 52]->[6, 1, 52]',
        GH + "grimme-lab/dxtb/issues/67",
    ),
    (
        "einsum",
        "RuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: [277, 8, 1, 234]->[277, 8, 234, 1, 1] [1, 64, 64]->[1, 1, 64, 64, 1]",
        GH + "jeya-maria-jose/Medical-Transformer/issues/77",
    ),
    (
        "einsum",
        "einsum() operands do not broadcast with remapped shapes [original->remapped]: [12, 8192, 2]->[12, 1, 2, 8192] [12, 8192, 2]->[1, 8192, 2, 12]",
        GH + "pytorch/pytorch/issues/58380",
    ),
    (
        "einsum",
        "    blend_shape = torch.einsum('bl,mkl->bmk', [betas, shape_disps])\neinsum() operands do not broadcast with remapped shapes [original->remapped]: [1, 10]->[1, 1, 1, 10] [6890, 3, 300]->[1, 6890, 3, 300]",
        GH + "songrise/AvatarCraft/issues/9",
    ),
    (
        "einsum",
        "RuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: [25, 4096, 64]->[25, 4096, 1, 64] [5, 77, 64]->[5, 1, 77, 64]",
        GH + "IanYeung/MGLD-VSR/issues/13",
    ),
    (
        "einsum",
        "einsum(): subscript l has size 300 for operand 1 which does not broadcast with previously seen size 10",
        GH + "xy02-05/ScoreHypo/issues/6",
    ),
    (
        "loss-target",
        'Using a target size (torch.Size([1, 1, 768, 1024])) that is different to the input size (torch.Size([1, 1, 96, 128])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.\nTraceback (most recent call last):\n  File "train.py", line 136, in train\n    loss = criterion(output, target)\n  File "/usr/local/lib/python3.5/dist-packages/torch/nn/modules/loss.py", line 443, in forward\n    return F.mse_loss(input, target, reduction=self.reduction)\n  File "/usr/local/lib/python3.5/dist-packages/torch/nn/functional.py", line 2256, in mse_loss\n    expanded_input, expanded_target = torch.broadcast_tensors(input, target)\nRuntimeError: The size of tensor a (128) must match the size of tensor b (1024) at non-singleton dimension 3',
        GH + "surajdakua/Crowd-Counting-Using-Pytorch/issues/4",
    ),
    (
        "loss-target",
        '  File "/home/luckynote/anaconda3/lib/python3.6/site-packages/torch/nn/modules/loss.py", line 443, in forward\n    return F.mse_loss(input, target, reduction=self.reduction)\n  File "/home/luckynote/anaconda3/lib/python3.6/site-packages/torch/nn/functional.py", line 2256, in mse_loss\n    expanded_input, expanded_target = torch.broadcast_tensors(input, target)\nRuntimeError: The size of tensor a (128) must match the size of tensor b (2) at non-singleton dimension 3',
        GH + "face-alignment-group-of-ahucs/SHN-based-2D-face-alignment/issues/2",
    ),
    (
        "loss-target",
        "/tmp/TF3P/model/networks.py:86: \n\nUserWarning: \nUsing a target size (torch.Size([27, 2, 50, 50, 50])) \nthat is different to the input size (torch.Size([9, 2, 50, 50, 50])). \n loss = weight * F.mse_loss(ff, reconstructions)\n\nRuntimeError: The size of tensor a (9) must match the size of tensor b (27) at non-singleton dimension 0",
        GH + "CanisW/TF3P/issues/4",
    ),
    (
        "loss-target",
        '    iou_loss = F.smooth_l1_loss(anchors_iou,match_iou)\n  File "/lvjc/envs/anaconda2/lib/python2.7/site-packages/torch/nn/functional.py", line 2113, in smooth_l1_loss\n    expanded_input, expanded_target = torch.broadcast_tensors(input, target)\nRuntimeError: The size of tensor a (1600) must match the size of tensor b (8000) at non-singleton dimension 0',
        GH + "wzmsltw/BSN-boundary-sensitive-network.pytorch/issues/5",
    ),
    (
        "interpolate",
        "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [28, 28] and output size of torch.Size([281, 500, 3]). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format",
        GH + "zwyang6/SeCo/issues/8",
    ),
    (
        "interpolate",
        "ValueError: Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [32] and output size of (256, 256). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.",
        GH + "chenhonghua/MvDrag3D/issues/4",
    ),
    (
        "interpolate",
        "ValueError: Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [1, 64, 171] and output size of torch.Size([64, 171]). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.",
        GH + "scraed/LanPaint/issues/78",
    ),
    (
        "interpolate",
        "ValueError: Input and output must have the same number of spatial dimensions, but got input with with spatial dimensions of [1356, 2040, 3] and output size of (256, 384). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.",
        GH + "yxuhan/AdaMPI/issues/9",
    ),
    (
        "view",
        "  qkv = self.qkv(x).reshape(B, N, 3, self.sample_num_heads, -1).permute(2, 0, 3, 1, 4)\n   RuntimeError: shape '[64, 197, 3, 3, -1]' is invalid for input of size 9682944",
        GH + "microsoft/Cream/issues/80",
    ),
    (
        "view",
        "    pos_tokens = pos_tokens.reshape(-1, orig_size, orig_size, embedding_size).permute(0, 3, 1, 2)\nRuntimeError: shape '[-1, 13, 13, 384]' is invalid for input of size 67968",
        GH + "xulianuwa/MCTformer/issues/29",
    ),
    (
        "view",
        "    x = self.conv1x1(x.view(x.size(0), self.channel, self.feature_size, self.feature_size))\nRuntimeError: shape '[32, 128, 9, 9]' is invalid for input of size 802816",
        GH + "wbw520/scouter/issues/10",
    ),
    (
        "view",
        "    local_text_feat = local_text_feat.view(-1, n_sep, local_text_feat.size(1))\nRuntimeError: shape '[-1, 2, 768]' is invalid for input of size 33024",
        GH + "TencentYoutuResearch/PersonReID-NAFS/issues/18",
    ),
    (
        "view",
        "RuntimeError: shape '[-1, 32000]' is invalid for input of size 128376192",
        GH + "InternLM/xtuner/issues/142",
    ),
    (
        "view",
        "RuntimeError: shape '[1, 13, 8, 128]' is invalid for input of size 26624",
        GH + "lyogavin/airllm/issues/172",
    ),
    (
        "rnn-hidden",
        "RuntimeError: Expected hidden[0] size (1, 32, 256), got [1, 8, 256]",
        GH + "miyamotok0105/pytorch_handbook/issues/11",
    ),
    (
        "rnn-hidden",
        "RuntimeError: Expected hidden[0] size (1, 64, 256), got (64, 256)",
        GH + "pytorch/pytorch/pull/3925",
    ),
    (
        "rnn-hidden",
        "RuntimeError: Expected hidden[0] size (1, 32, 32), got (2, 32, 32)",
        GH + "ngarneau/understanding-pytorch-batching-lstm/issues/1",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size 64 3 3 3, expected input[1, 512, 512, 3] to have 3 channels, but got 512 channels instead",
        GH + "LeeJunHyun/Image_Segmentation/issues/29",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [32, 3, 3, 3], expected input[30, 416, 416, 3] to have 3 channels, but got 416 channels instead",
        GH + "aladdinpersson/Machine-Learning-Collection/issues/59",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [320, 9, 3, 3], expected input[1, 4, 64, 64] to have 9 channels, but got 4 channels instead",
        GH + "dvruette/sd-webui-fabric/issues/32",
    ),
    (
        "conv-channels",
        "Error occurred when executing KSampler: Given groups=1, weight of size [320, 9, 3, 3], expected input[1, 8, 126, 94] to have 9 channels, but got 8 channels instead",
        GH + "huchenlei/ComfyUI-IC-Light-Native/issues/17",
    ),
    (
        "conv-channels",
        "RuntimeError: Given groups=1, weight of size [16, 3, 3, 3], expected input[1, 4, 345, 514] to have 3 channels, but got 4 channels instead",
        GH + "sjmoran/deeplpf-image-enhancement/issues/16",
    ),
    (
        "linear",
        "mat1 and mat2 shapes cannot be multiplied (154x2048 and 768x320)",
        GH + "Comfy-Org/ComfyUI/issues/8463",
    ),
    (
        "linear",
        "- **Exception Message:** mat1 and mat2 shapes cannot be multiplied (770x2048 and 768x320)",
        GH + "SipherAGI/comfyui-animatediff/issues/92",
    ),
    (
        "linear",
        "mat1 and mat2 shapes cannot be multiplied (492x4096 and 768x320)",
        GH + "Comfy-Org/ComfyUI/issues/6727",
    ),
    (
        "transposed",
        " yi = F.conv_transpose2d(yi, wi_center, stride=self.stride * self.scale, padding=self.scale)\nRuntimeError: Given transposed=1, weight of size 1632 128 6 6, expected input[1, 1584, 96, 67] to have 1632 channels, but got 1584 channels instead",
        GH + "SHI-Labs/Cross-Scale-Non-Local-Attention/issues/11",
    ),
    (
        "export",
        "Constraints violated (batch)!\nNot all values of batch = L['x'].size()[0] in the specified range batch <= 128 are valid because batch was inferred to be a constant (3).",
        GH + "Samsung/TICO/issues/248",
    ),
    (
        "instance-norm",
        "ValueError: Expected more than 1 spatial element when training, got input size torch.Size([4, 256, 1, 1, 1])",
        GH + "billhhh/ShaSpec/issues/1",
    ),
]

# Collected after the template table was written, from two families it had no template for:
# the score on these measures how far the table reaches past the messages that shaped it.
HELD_OUT = [
    (
        "layernorm",
        "Given normalized_shape=[1536], expected input with shape [*, 1536], but got input of size[1, 2166, 3072]",
        GH + "PozzettiAndrea/ComfyUI-DepthAnythingV3/issues/4",
    ),
    (
        "layernorm",
        "RuntimeError: Given normalized_shape=[768], expected input with shape [*, 768], but got input of size[12]",
        GH + "pengzhiliang/MAE-pytorch/issues/93",
    ),
    (
        "layernorm",
        "RuntimeError: Given normalized_shape=[1280], expected input with shape [*, 1280], but got input of size[1, 257, 1664]",
        GH + "Comfy-Org/ComfyUI/issues/14490",
    ),
    (
        "layernorm",
        "RuntimeError: Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[3, 4]",
        GH + "hao-ai-lab/cse234-w25-PA/pull/1",
    ),
    (
        "layernorm",
        "Given normalized_shape=[3584], expected input with shape [*, 3584], but got input of size[2, 512, 12288]",
        GH + "Comfy-Org/ComfyUI/issues/12723",
    ),
    (
        "layernorm",
        "RuntimeError: Given normalized_shape=[1280], expected input with shape [*, 1280], but got input of size[1, 257, 1024]",
        GH + "Comfy-Org/ComfyUI/issues/7022",
    ),
    (
        "layernorm",
        "RuntimeError: Given normalized_shape=[256], expected input with shape [*, 256], but got input of size[4, 256, 200, 200]",
        GH + "ViTAE-Transformer/ViTDet/issues/25",
    ),
    (
        "layernorm",
        "RuntimeError: Given normalized_shape=[96], expected input with shape [*, 96], but got input of size[1, 101, 76]",
        GH + "HappyColor/SpeechFormer/issues/3",
    ),
    (
        "permute-rank",
        "diff = w @ torch.conj(w.permute(0, 2, 1)) - torch.eye( RuntimeError: number of dims don't match in permute",
        GH + "facebookresearch/projUNN/issues/2",
    ),
    (
        "permute-rank",
        "conv = conv.permute(2, 0, 1)  # [w, b, c] RuntimeError: number of dims don't match in permute",
        GH + "bear63/sceneReco/issues/34",
    ),
    (
        "permute-rank",
        "mask_true = F.one_hot(mask_true, net.n_classes).permute(256,256,256,256).float() RuntimeError: number of dims don't match in permute",
        GH + "milesial/Pytorch-UNet/issues/366",
    ),
    (
        "permute-rank",
        "data_lowlight = data_lowlight.permute(2,0,1) RuntimeError: number of dims don't match in permute",
        GH + "Li-Chongyi/Zero-DCE/issues/31",
    ),
    ("permute-rank", "number of dims don't match in permute", GH + "voxelmorph/voxelmorph/issues/556"),
    (
        "permute-rank",
        "lr_son_input = torch.Tensor(interpolated_lr_son).permute(2,0,1).unsqueeze_(0) RuntimeError: number of dims don't match in permute",
        GH + "hengliusky/UltraSound_SSSR/issues/4",
    ),
    (
        "permute-rank",
        "x = x.permute([0, 2, 1])  # [B,W,512] RuntimeError: number of dims don't match in permute",
        GH + "yizt/crnn.pytorch/issues/25",
    ),
    (
        "permute-rank",
        "RuntimeError: permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 3 is not equal to len(dims) = 4",
        GH + "ruizhecao96/CMGAN/issues/26",
    ),
]
