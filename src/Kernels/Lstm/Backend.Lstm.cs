using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// The fused LSTM cell's pointwise half (PyTorch's gate order i, f, g, o). The two GEMMs that make
/// the pre-activations (x·W_ihᵀ and h·W_hhᵀ, accumulated into one [batch, 4·hidden] buffer) run
/// on <see cref="Gemm"/>; these kernels add both biases, apply the gate nonlinearities and update
/// the state in one pass, and give the backward in one pass.
/// h' and c' are written into one state buffer [2, batch, hidden] (h' first): the autograd op then
/// has a single output, so gradients arriving at h' and at c' reach the backward together.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// With pre = gates + b_ih + b_hh per row: activated = (σ(i), σ(f), tanh(g), σ(o)),
    /// c' = f·c_prev + i·g, h' = o·tanh(c'), state = (h', c'). <paramref name="activated"/> may be
    /// <paramref name="gates"/> (updated in place); it is what <see cref="LstmCellBackward"/> reads.
    /// </summary>
    public void LstmCellForward(int batch, int hidden, DeviceBuffer<float> gates, DeviceBuffer<float> biasIh, DeviceBuffer<float> biasHh,
                                DeviceBuffer<float> cPrev, DeviceBuffer<float> activated, DeviceBuffer<float> state)
    {
        const string op = "LstmCellForward";
        CheckLstmExtents(op, batch, hidden);
        long bh = (long)batch * hidden;
        CheckLength(op, "gates", gates, 4 * bh);
        CheckLength(op, "biasIh", biasIh, 4L * hidden); CheckLength(op, "biasHh", biasHh, 4L * hidden);
        CheckLength(op, "cPrev", cPrev, bh);
        CheckLength(op, "activated", activated, 4 * bh);
        CheckLength(op, "state", state, 2 * bh);
        using var profile = Profile(OpFamily.Lstm, 0, 4.0 * 7 * batch * hidden);
        RunLstmCellForward(batch, hidden, gates, biasIh, biasHh, cPrev, activated, state);
    }

    /// <summary>
    /// From the saved activated gates, c_prev and state (h', c'), and dState = (dh', dc'):
    /// dGates = the gradient of the pre-activations [batch, 4·hidden] (also the gradient of each
    /// bias row), dcPrev = dc·f where dc = dc' + dh'·o·(1 − tanh²c').
    /// </summary>
    public void LstmCellBackward(int batch, int hidden, DeviceBuffer<float> activated, DeviceBuffer<float> cPrev, DeviceBuffer<float> state,
                                 DeviceBuffer<float> dState, DeviceBuffer<float> dGates, DeviceBuffer<float> dcPrev)
    {
        const string op = "LstmCellBackward";
        CheckLstmExtents(op, batch, hidden);
        long bh = (long)batch * hidden;
        CheckLength(op, "activated", activated, 4 * bh);
        CheckLength(op, "cPrev", cPrev, bh);
        CheckLength(op, "state", state, 2 * bh);
        CheckLength(op, "dState", dState, 2 * bh);
        CheckLength(op, "dGates", dGates, 4 * bh);
        CheckLength(op, "dcPrev", dcPrev, bh);
        using var profile = Profile(OpFamily.Lstm, 0, 4.0 * 10 * batch * hidden);
        RunLstmCellBackward(batch, hidden, activated, cPrev, state, dState, dGates, dcPrev);
    }

    private static void CheckLstmExtents(string op, int batch, int hidden)
    {
        if (batch <= 0 || hidden <= 0) throw new ArgumentException($"{op}: batch and hidden must be positive, got batch={batch}, hidden={hidden}");
        if (4L * batch * hidden > int.MaxValue) throw new ArgumentException($"{op}: 4·{batch}·{hidden} gate values exceed the int index range");
    }

    protected abstract void RunLstmCellForward(int batch, int hidden, DeviceBuffer<float> gates, DeviceBuffer<float> biasIh, DeviceBuffer<float> biasHh,
                                               DeviceBuffer<float> cPrev, DeviceBuffer<float> activated, DeviceBuffer<float> state);
    protected abstract void RunLstmCellBackward(int batch, int hidden, DeviceBuffer<float> activated, DeviceBuffer<float> cPrev, DeviceBuffer<float> state,
                                                DeviceBuffer<float> dState, DeviceBuffer<float> dGates, DeviceBuffer<float> dcPrev);
}
