"""The uploads step of the fit stage: the campaigns' audience lists (fits.campaign_audiences) and the brands'
third-party ad monitoring logs (fits.ad_monitoring_events), empty tables when there are none, so the effect
marts read them on either engine."""

from __future__ import annotations

from facetlake.effect.audiences import read_ad_monitoring, read_audiences
from facetlake.fits import Fit, FitContext, register

AUDIENCES_TABLE = "campaign_audiences"
MONITORING_TABLE = "ad_monitoring_events"


def run(context: FitContext) -> dict[str, object]:
    audiences = read_audiences(context.lake)
    context.write_table(AUDIENCES_TABLE, audiences.rows.astype(str) if len(audiences.rows) else audiences.rows)
    context.log(
        f"campaign audiences: {len(audiences.rows)} rows from {audiences.files} files"
        + (
            f", {audiences.skipped_rows} rows skipped (no campaign, group or identifier)"
            if audiences.skipped_rows
            else ""
        )
    )
    monitoring = read_ad_monitoring(context.lake)
    context.write_table(MONITORING_TABLE, monitoring.rows)
    context.log(
        f"ad monitoring uploads: {len(monitoring.rows)} impressions from {monitoring.files} files"
        + (f", {monitoring.skipped_rows} rows skipped" if monitoring.skipped_rows else "")
    )
    return {
        "audience_rows": len(audiences.rows),
        "audience_files": audiences.files,
        "audience_skipped_rows": audiences.skipped_rows,
        "monitored_impressions": len(monitoring.rows),
        "monitoring_skipped_rows": monitoring.skipped_rows,
    }


register(
    Fit(
        name="campaign_audiences",
        reads=(),
        writes=(AUDIENCES_TABLE, MONITORING_TABLE),
        run=run,
        description="The campaigns' audience uploads (treated and holdout) and third-party ad monitoring logs.",
    )
)
