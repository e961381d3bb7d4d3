using SparseCore.Kernels.Conv;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>The shifted conv's cut of m output rows into micro-panels: every row once, in order, 1–6 rows a panel, and no one-row panel past m = 6.</summary>
public class RowPanelsTests
{
    [Fact]
    public void Every_row_is_in_one_panel_and_balanced_cuts_leave_no_single_row_panel()
    {
        for (int m = 1; m <= 50; m++)
            foreach (bool balanced in new[] { false, true })
            {
                var panels = new RowPanels(m, balanced);
                int next = 0;
                for (int i = 0; i < panels.Count; i++)
                {
                    Assert.Equal(next, panels.First(i));
                    Assert.InRange(panels.Rows(i), 1, 6);
                    next += panels.Rows(i);
                }
                Assert.Equal(m, next);
                if (balanced && m > 6) Assert.NotEqual(1, panels.Rows(panels.Count - 1));
                if (!balanced) Assert.Equal(m - (panels.Count - 1) * 6, panels.Rows(panels.Count - 1));
            }
    }
}
