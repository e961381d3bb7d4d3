using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Prompts;

/// <summary>
/// PASS's additive border prompt (VPNs' PadVisualPrompt): x' = clamp(x + V ⊙ border, 0, 1) with V
/// [C, H, W] starting at zero and border a fixed 0/1 frame of width <see cref="Pad"/>. Pixels
/// inside the frame pass through unchanged and V's centre never receives a gradient.
/// </summary>
public sealed class PadPrompt : VisualPrompt
{
    private readonly Tensor border;

    /// <param name="pad">frame width in pixels; null for <see cref="VisualPrompt.DefaultPad"/>.</param>
    public PadPrompt(ModuleInit init, int channels, int height, int width, int? pad = null)
        : base(channels, height, width)
    {
        Pad = pad ?? DefaultPad(height, width);
        CheckPad(nameof(PadPrompt), Pad, height, width);
        var shape = new Shape(channels, height, width);
        Prompt = AddParameter("prompt", init.Constant(shape, 0f));
        border = Tensor.FromArray(init.Backend, FrameMask(channels, height, width, Pad), shape).Persist();
    }

    public int Pad { get; }

    public override Parameter Prompt { get; }

    protected override Tensor Apply(Tensor x) => AddClamped(x, F.Mul(Prompt.Value, border));

    public override void Dispose()
    {
        border.Dispose();
        base.Dispose();
    }
}
