using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the LSTM cell kernels of <see cref="IlgpuLstmKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> lstmCellForwardKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> lstmCellBackwardKernel = null!;

    private void LoadLstm()
    {
        lstmCellForwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>>(IlgpuKernelRegistry.LstmCellForward);
        lstmCellBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>>(IlgpuKernelRegistry.LstmCellBackward);
    }

    protected override void RunLstmCellForward(int batch, int hidden, DeviceBuffer<float> gates, DeviceBuffer<float> biasIh, DeviceBuffer<float> biasHh,
                                               DeviceBuffer<float> cPrev, DeviceBuffer<float> activated, DeviceBuffer<float> state)
    {
        int n = batch * hidden;
        lstmCellForwardKernel(stream, FlatThreads(n), View(gates), View(biasIh), View(biasHh), View(cPrev), View(activated), View(state), n, hidden);
    }

    protected override void RunLstmCellBackward(int batch, int hidden, DeviceBuffer<float> activated, DeviceBuffer<float> cPrev, DeviceBuffer<float> state,
                                                DeviceBuffer<float> dState, DeviceBuffer<float> dGates, DeviceBuffer<float> dcPrev)
    {
        int n = batch * hidden;
        lstmCellBackwardKernel(stream, FlatThreads(n), View(activated), View(cPrev), View(state), View(dState), View(dGates), View(dcPrev), n, hidden);
    }
}
