using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Lstm;

/// <summary>
/// The LSTM cell's pointwise kernels: flat launches over batch·hidden (b, j) pairs, each thread
/// reading its four gate columns j, H + j, 2H + j, 3H + j (neighbouring threads, neighbouring
/// addresses in each), with <see cref="LstmMath"/>'s formulas, the same code the CPU runs.
/// </summary>
internal static class IlgpuLstmKernels
{
    [IlgpuKernel]
    internal static void LstmCellForward(Index1D t, ArrayView<float> gates, ArrayView<float> biasIh, ArrayView<float> biasHh,
                                         ArrayView<float> cPrev, ArrayView<float> activated, ArrayView<float> state, int n, int hidden)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, k = t; e < IlgpuElementwiseKernels.ElementsPerThread && k < n; e++, k += stride)
        {
            int b = k / hidden, j = k - b * hidden;
            int gi = 4 * hidden * b + j, gf = gi + hidden, gg = gf + hidden, go = gg + hidden;
            // All four pre-activations are read before any write: activated may alias gates.
            float i = Pointwise.Sigmoid(gates[gi] + biasIh[j] + biasHh[j]);
            float f = Pointwise.Sigmoid(gates[gf] + biasIh[hidden + j] + biasHh[hidden + j]);
            float g = MathF.Tanh(gates[gg] + biasIh[2 * hidden + j] + biasHh[2 * hidden + j]);
            float o = Pointwise.Sigmoid(gates[go] + biasIh[3 * hidden + j] + biasHh[3 * hidden + j]);
            activated[gi] = i; activated[gf] = f; activated[gg] = g; activated[go] = o;
            float c = LstmMath.Cell(i, f, g, cPrev[k]);
            state[n + k] = c;
            state[k] = LstmMath.Hidden(o, c);
        }
    }

    [IlgpuKernel]
    internal static void LstmCellBackward(Index1D t, ArrayView<float> activated, ArrayView<float> cPrev, ArrayView<float> state,
                                          ArrayView<float> dState, ArrayView<float> dGates, ArrayView<float> dcPrev, int n, int hidden)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, k = t; e < IlgpuElementwiseKernels.ElementsPerThread && k < n; e++, k += stride)
        {
            int b = k / hidden, j = k - b * hidden;
            int gi = 4 * hidden * b + j, gf = gi + hidden, gg = gf + hidden, go = gg + hidden;
            float i = activated[gi], f = activated[gf], g = activated[gg], o = activated[go];
            float c = state[n + k], dh = dState[k];
            float dCell = LstmMath.CellGrad(dh, dState[n + k], o, c);
            dGates[gi] = LstmMath.InputGateGrad(dCell, i, g);
            dGates[gf] = LstmMath.ForgetGateGrad(dCell, f, cPrev[k]);
            dGates[gg] = LstmMath.CandidateGrad(dCell, i, g);
            dGates[go] = LstmMath.OutputGateGrad(dh, o, c);
            dcPrev[k] = dCell * f;
        }
    }
}
