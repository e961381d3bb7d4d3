using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Hypernetwork;

/// <summary>
/// g_ω: the prompt tensor V [C, H, W] itself (not a prompted image) → h0 [1, hidden]. Three 3×3
/// stride-2 convs (C → 16 → 32 → hidden, padding 1) with ReLU after the first two, then a global
/// average pool. No ReLU after the last conv, so h0 is signed like the LSTM states it seeds.
/// About 24 k parameters at hidden 64 for three channels (small, as the paper's Table 4 totals require).
/// </summary>
public sealed class PromptEncoder : Module
{
    public PromptEncoder(ModuleInit init, int channels, int hidden)
    {
        if (channels <= 0 || hidden <= 0)
            throw new ArgumentException($"PromptEncoder: channels and hidden size must be positive, got {channels} and {hidden}");
        Channels = channels;
        Hidden = hidden;
        Conv1 = AddModule("conv1", new Conv2d(init, channels, 16, 3, stride: 2, padding: 1));
        Conv2 = AddModule("conv2", new Conv2d(init, 16, 32, 3, stride: 2, padding: 1));
        Conv3 = AddModule("conv3", new Conv2d(init, 32, hidden, 3, stride: 2, padding: 1));
    }

    public int Channels { get; }
    public int Hidden { get; }
    public Conv2d Conv1 { get; }
    public Conv2d Conv2 { get; }
    public Conv2d Conv3 { get; }

    protected override Tensor ForwardCore(Tensor prompt)
    {
        if (prompt.Rank != 3 || prompt.Shape[0] != Channels)
            throw new TensorShapeException("PromptEncoder", $"expects the prompt V [{Channels}, H, W], got {prompt.Shape}");
        var x = F.Reshape(prompt, new Shape(1, Channels, prompt.Shape[1], prompt.Shape[2]));
        x = F.Relu(Conv1.Forward(x));
        x = F.Relu(Conv2.Forward(x));
        return F.GlobalAvgPool(Conv3.Forward(x));
    }
}
