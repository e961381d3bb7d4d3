using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Lstm;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>The LSTM cell's pointwise kernels, batch rows in fixed chunks, <see cref="LstmMath"/>'s formulas.</summary>
public partial class CpuBackend
{
    protected override void RunLstmCellForward(int batch, int hidden, DeviceBuffer<float> gates, DeviceBuffer<float> biasIh, DeviceBuffer<float> biasHh,
                                               DeviceBuffer<float> cPrev, DeviceBuffer<float> activated, DeviceBuffer<float> state)
    {
        var ga = ArrayOf(gates); var bi = ArrayOf(biasIh); var bh = ArrayOf(biasHh);
        var cp = ArrayOf(cPrev); var act = ArrayOf(activated); var st = ArrayOf(state);
        int h = hidden, cOffset = batch * hidden;
        CpuParallel.For(batch, Math.Max(1, ElementGrain / (4 * h)), (s, e) =>
        {
            for (int b = s; b < e; b++)
            {
                int row = 4 * h * b;
                for (int j = 0; j < h; j++)
                {
                    // Read all four pre-activations before writing any: activated may alias gates.
                    float i = Pointwise.Sigmoid(ga[row + j] + bi[j] + bh[j]);
                    float f = Pointwise.Sigmoid(ga[row + h + j] + bi[h + j] + bh[h + j]);
                    float g = MathF.Tanh(ga[row + 2 * h + j] + bi[2 * h + j] + bh[2 * h + j]);
                    float o = Pointwise.Sigmoid(ga[row + 3 * h + j] + bi[3 * h + j] + bh[3 * h + j]);
                    act[row + j] = i; act[row + h + j] = f; act[row + 2 * h + j] = g; act[row + 3 * h + j] = o;
                    int k = b * h + j;
                    float c = LstmMath.Cell(i, f, g, cp[k]);
                    st[cOffset + k] = c;
                    st[k] = LstmMath.Hidden(o, c);
                }
            }
        });
    }

    protected override void RunLstmCellBackward(int batch, int hidden, DeviceBuffer<float> activated, DeviceBuffer<float> cPrev, DeviceBuffer<float> state,
                                                DeviceBuffer<float> dState, DeviceBuffer<float> dGates, DeviceBuffer<float> dcPrev)
    {
        var act = ArrayOf(activated); var cp = ArrayOf(cPrev); var st = ArrayOf(state);
        var ds = ArrayOf(dState); var dg = ArrayOf(dGates); var dcp = ArrayOf(dcPrev);
        int h = hidden, cOffset = batch * hidden;
        CpuParallel.For(batch, Math.Max(1, ElementGrain / (4 * h)), (s, e) =>
        {
            for (int b = s; b < e; b++)
            {
                int row = 4 * h * b;
                for (int j = 0; j < h; j++)
                {
                    int k = b * h + j;
                    float i = act[row + j], f = act[row + h + j], g = act[row + 2 * h + j], o = act[row + 3 * h + j];
                    float c = st[cOffset + k], dh = ds[k];
                    float dCell = LstmMath.CellGrad(dh, ds[cOffset + k], o, c);
                    dg[row + j] = LstmMath.InputGateGrad(dCell, i, g);
                    dg[row + h + j] = LstmMath.ForgetGateGrad(dCell, f, cp[k]);
                    dg[row + 2 * h + j] = LstmMath.CandidateGrad(dCell, i, g);
                    dg[row + 3 * h + j] = LstmMath.OutputGateGrad(dh, o, c);
                    dcp[k] = dCell * f;
                }
            }
        });
    }
}
