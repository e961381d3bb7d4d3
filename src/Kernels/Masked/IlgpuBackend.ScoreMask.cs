using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the score-mask kernel of <see cref="IlgpuScoreMaskKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> scoreMaskBackwardKernel = null!;

    private void LoadScoreMask()
    {
        scoreMaskBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>>(IlgpuKernelRegistry.ScoreMaskBackward);
    }

    protected override void RunScoreMaskBackward(DeviceBuffer<float> w, DeviceBuffer<float> scores, DeviceBuffer<float> mask, DeviceBuffer<float> dy,
                                                 DeviceBuffer<float>? dw, DeviceBuffer<float>? dScores, int n)
    {
        // An absent output's placeholder is dy's view, which its flag keeps unwritten.
        var dyView = View(dy);
        scoreMaskBackwardKernel(stream, FlatThreads(n), View(w), View(scores), View(mask), dyView,
            dw is null ? dyView : View(dw), dScores is null ? dyView : View(dScores), n, dw is null ? 0 : 1, dScores is null ? 0 : 1);
    }
}
