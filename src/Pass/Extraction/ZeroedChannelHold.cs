using SparseCore.Kernels.Elementwise;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Extraction;

/// <summary>
/// Keeps union mode's kept-but-zeroed channels exactly zero while an extracted network trains, so
/// that its masks stay fixed (stage 2). Extraction zeroes those channels' out-weights, bias, γ and
/// β, but training alone would revive them: β takes the gradient of everything downstream, and the
/// "pruned" channel becomes a learned constant. <see cref="MaskGradients"/>, called between the
/// backward pass and the optimizer step (TrainerOptions.AfterBackward), zeroes the gradient rows of
/// every <see cref="ExtractedNetwork.ZeroedRows"/>. A zero parameter with a zero gradient stays
/// exactly zero under SGD (weight decay adds wd·0, the momentum buffer only ever accumulates zeros)
/// and AdamW (both moments stay 0, the decoupled decay scales 0), so each such channel is exactly 0
/// after its batch-norm at every step: γ·x̂ + β with γ = β = 0 and x̂ finite (0 in training, where
/// the channel is constant; (0 − μ)/√(σ² + ε) in evaluation). Masking gradients rather than
/// re-zeroing weights after the step keeps the optimizer's state zero on those rows too.
/// Holds nothing in shared mode, which zeroes nothing.
/// </summary>
public sealed class ZeroedChannelHold : IDisposable
{
    private readonly List<(Parameter Parameter, Tensor Rows, Broadcast Shape)> held = [];

    public ZeroedChannelHold(ExtractedNetwork extracted)
    {
        ArgumentNullException.ThrowIfNull(extracted);
        var parameters = extracted.Model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, rows) in extracted.ZeroedRows)
        {
            var p = parameters[name];
            held.Add((p, Tensor.FromArray(p.Value.Backend, rows, new Shape(rows.Length)).Persist(),
                      new Broadcast(1, rows.Length, p.Value.Size / rows.Length)));
        }
    }

    /// <summary>How many parameters have rows held at zero.</summary>
    public int Parameters => held.Count;

    /// <summary>Multiplies each held parameter's gradient by its row mask; frozen parameters and those without a gradient are skipped, as the optimizer skips them.</summary>
    public void MaskGradients()
    {
        foreach (var (p, rows, shape) in held)
        {
            if (p.Frozen || p.Grad is not { } grad) continue;
            grad.Backend.Binary(BinaryOp.Mul, grad.Buffer, rows.Buffer, grad.Buffer, shape);
        }
    }

    public void Dispose()
    {
        foreach (var (_, rows, _) in held) rows.Dispose();
        held.Clear();
    }
}
