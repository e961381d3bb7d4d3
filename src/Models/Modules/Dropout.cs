using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// torch.nn.Dropout. Each training forward draws a fresh mask from the model seed and its own
/// stream: (stream reserved at construction + 1) · 2³² + <see cref="Calls"/>, so no two forwards —
/// and no parameter init, whose streams are small — share random numbers, and a run is
/// reproducible from the seed. Checkpoints must save <see cref="Calls"/> for a resumed run to draw
/// the masks the uninterrupted run would have drawn.
/// </summary>
public sealed class Dropout : Module
{
    private readonly ulong seed, streamBase;

    /// <summary><paramref name="init"/> is needed only when <paramref name="p"/> > 0 (it reserves the random stream).</summary>
    public Dropout(float p, ModuleInit? init = null)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentException($"Dropout: p must be in [0, 1), got {p}");
        if (p > 0 && init is null) throw new ArgumentException("Dropout: p > 0 needs a ModuleInit for its seed and stream");
        P = p;
        if (init is not null)
        {
            seed = init.Seed;
            streamBase = (init.NextStream() + 1) << 32;
        }
    }

    public float P { get; }

    /// <summary>Training forwards that drew a mask so far.</summary>
    public ulong Calls { get; set; }

    protected override Tensor ForwardCore(Tensor x)
    {
        if (!Training || P == 0) return x;
        return F.Dropout(x, P, true, seed, streamBase + Calls++);
    }
}
