using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Prompts;

/// <summary>
/// The expansive prompt (ILM-VP style): the image is shrunk to (H − 2·pad) × (W − 2·pad) and set
/// in the hollow centre of a learnable full-size frame, x' = clamp(place(shrink(x)) + V ⊙ border, 0, 1).
/// The shrink is bilinear with PyTorch's align_corners=False sampling and no antialiasing
/// (F.interpolate's default), applied as two fixed matrices, R_h·x·R_wᵀ, whose border rows are zero
/// so the same products also place the image. No sigmoid on V (as in the pad prompt), so the
/// zero-initialised frame starts black.
/// </summary>
public sealed class ExpansivePrompt : VisualPrompt
{
    private readonly Tensor border, resizeRows, resizeCols;

    /// <param name="pad">frame width in pixels; null for <see cref="VisualPrompt.DefaultPad"/>.</param>
    public ExpansivePrompt(ModuleInit init, int channels, int height, int width, int? pad = null)
        : base(channels, height, width)
    {
        Pad = pad ?? DefaultPad(height, width);
        CheckPad(nameof(ExpansivePrompt), Pad, height, width);
        var shape = new Shape(channels, height, width);
        Prompt = AddParameter("prompt", init.Constant(shape, 0f));
        border = Tensor.FromArray(init.Backend, FrameMask(channels, height, width, Pad), shape).Persist();
        resizeRows = Tensor.FromArray(init.Backend, PlacedResize(height, Pad), new Shape(height, height)).Persist();
        resizeCols = Tensor.FromArray(init.Backend, PlacedResize(width, Pad), new Shape(width, width)).Persist();
    }

    public int Pad { get; }

    public override Parameter Prompt { get; }

    protected override Tensor Apply(Tensor x)
    {
        int n = x.Shape[0], c = Channels, h = Height, w = Width;
        // Columns first: [N·C·H, W]·R_wᵀ, then rows on the transposed image: [N·C·W, H]·R_hᵀ.
        var cols = F.MatMul(F.Reshape(x, new Shape(n * c * h, w)), resizeCols, transB: true);
        var t = F.Permute(F.Reshape(cols, new Shape(n * c, h, w)), 0, 2, 1);
        var rows = F.MatMul(F.Reshape(t, new Shape(n * c * w, h)), resizeRows, transB: true);
        var placed = F.Reshape(F.Permute(F.Reshape(rows, new Shape(n * c, w, h)), 0, 2, 1), x.Shape);
        return AddClamped(placed, F.Mul(Prompt.Value, border));
    }

    /// <summary>
    /// [size, size]: row i (pad ≤ i &lt; size − pad) holds the bilinear weights of output pixel
    /// i − pad of a size → size − 2·pad resize; the frame's rows are zero.
    /// </summary>
    internal static float[] PlacedResize(int size, int pad)
    {
        int inner = size - 2 * pad;
        var m = new float[size * size];
        double scale = (double)size / inner;
        for (int o = 0; o < inner; o++)
        {
            double src = Math.Max((o + 0.5) * scale - 0.5, 0);
            int i0 = Math.Min((int)src, size - 1), i1 = Math.Min(i0 + 1, size - 1);
            double lambda = src - i0;
            m[(o + pad) * size + i0] += (float)(1 - lambda);
            m[(o + pad) * size + i1] += (float)lambda;
        }
        return m;
    }

    public override void Dispose()
    {
        border.Dispose();
        resizeRows.Dispose();
        resizeCols.Dispose();
        base.Dispose();
    }
}
