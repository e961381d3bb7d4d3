using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Prompts;

/// <summary>Where a <see cref="PatchPrompt"/> sits.</summary>
public enum PatchPlacement
{
    /// <summary>Always the top-left corner (VPNs' "fixed patch").</summary>
    Fixed,

    /// <summary>
    /// VPNs' "random patch": each training forward draws its top-left corner uniformly from the
    /// (H − p + 1) × (W − p + 1) positions by (seed, step), step being the count of training
    /// forwards so far; evaluation uses the top-left corner, so that it is deterministic.
    /// </summary>
    Random,
}

/// <summary>
/// An additive learnable square patch V [C, p, p]: x' = clamp(x + place(V), 0, 1), where place puts
/// V at the patch position of a zero [C, H, W] image. Pixels outside the patch pass unchanged.
/// </summary>
public sealed class PatchPrompt : VisualPrompt
{
    private readonly ulong seed;

    public PatchPrompt(ModuleInit init, int channels, int height, int width, int size, PatchPlacement placement = PatchPlacement.Fixed, ulong seed = 0)
        : base(channels, height, width)
    {
        if (size < 1 || size > Math.Min(height, width))
            throw new ArgumentException($"{nameof(PatchPrompt)}: the patch size must be in 1..{Math.Min(height, width)}, got {size}");
        Size = size;
        Placement = placement;
        this.seed = seed;
        Prompt = AddParameter("prompt", init.Constant(new Shape(channels, size, size), 0f));
    }

    public int Size { get; }
    public PatchPlacement Placement { get; }

    /// <summary>The seed of a random patch's positions.</summary>
    public ulong Seed => seed;

    public override Parameter Prompt { get; }

    /// <summary>Training forwards so far: the step a random patch's position is drawn from. Checkpoints save it so a resumed run draws the same positions.</summary>
    public ulong Steps { get; set; }

    /// <summary>The patch's top-left corner (row, column) at a training step.</summary>
    public (int Row, int Col) Position(ulong step)
    {
        if (Placement == PatchPlacement.Fixed) return (0, 0);
        ulong r = Mix(Mix(seed) ^ (step + 0x9E3779B97F4A7C15UL));
        ulong rows = (ulong)(Height - Size + 1), cols = (ulong)(Width - Size + 1);
        return ((int)(r % rows), (int)((r >> 32) % cols));
    }

    protected override Tensor Apply(Tensor x)
    {
        var (row, col) = Training ? Position(Steps++) : (0, 0);
        var v = Prompt.Value;
        var wide = PadAxis(v, 2, col, Width - Size - col);
        var full = PadAxis(wide, 1, row, Height - Size - row);
        return AddClamped(x, full);
    }

    /// <summary>Zeros before and after <paramref name="t"/> along an axis.</summary>
    private static Tensor PadAxis(Tensor t, int axis, int before, int after)
    {
        var parts = new List<Tensor>(3);
        Tensor Zeros(int extent)
        {
            var dims = t.Shape.Dims.ToArray();
            dims[axis] = extent;
            return Tensor.Zeros(t.Backend, new Shape(dims));
        }
        if (before > 0) parts.Add(Zeros(before));
        parts.Add(t);
        if (after > 0) parts.Add(Zeros(after));
        return parts.Count == 1 ? t : F.Concat(parts, axis);
    }

    // SplitMix64's finaliser: a stateless, version-stable hash of (seed, step).
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
