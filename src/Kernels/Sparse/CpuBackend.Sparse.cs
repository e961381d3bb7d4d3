using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Kernels.Cpu;

/// <summary>The sparse-weight forwards on the CPU: CpuSparseConv and CpuSparseLinear over the weight's own row arrays.</summary>
public partial class CpuBackend
{
    protected override void RunSparseConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y) =>
        CpuSparseConv.Forward(shape, ArrayOf(x), ArrayOf(w.RowStartBuffer), ArrayOf(w.TapBuffer), ArrayOf(w.ValueBuffer),
                              bias is null ? null : ArrayOf(bias), ArrayOf(y));

    protected override void RunSparseLinearForward(DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int batch) =>
        CpuSparseLinear.Forward(ArrayOf(x), ArrayOf(w.RowStartBuffer), ArrayOf(w.TapBuffer), ArrayOf(w.ValueBuffer),
                                bias is null ? null : ArrayOf(bias), ArrayOf(y), batch, w.InChannels, w.OutChannels);
}
