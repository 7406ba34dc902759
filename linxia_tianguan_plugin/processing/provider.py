"""The Processing provider ``linxia_tianguan`` (临夏田管)."""
from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from ..resources import icon_path
from .cases.change_detection import ChangeDetectionAlgorithm
from .cases.enforcement_package_export import EnforcementPackageExportAlgorithm
from .cases.enforcement_package_import import EnforcementPackageImportAlgorithm
from .cases.export_cases import ExportCasesAlgorithm
from .cases.import_video_alarms import ImportVideoAlarmsAlgorithm
from .cases.verify_evidence import VerifyEvidenceAlgorithm
from .coding.decode_space_code import DecodeSpaceCodeAlgorithm
from .coding.space_code import SpaceCodeAlgorithm
from .coding.undo_space_code import UndoSpaceCodeAlgorithm
from .coding.validate_space_code import ValidateSpaceCodeAlgorithm
from .grid.build_grid import BuildGridAlgorithm
from .grid.grid_coverage import GridCoverageAlgorithm
from .patrol.check_tracks import CheckTracksAlgorithm
from .patrol.dispatch_tasks import DispatchTasksAlgorithm
from .patrol.export_roster import ExportRosterAlgorithm
from .patrol.export_tasks import ExportTasksAlgorithm
from .patrol.field_package_export import FieldPackageExportAlgorithm
from .patrol.field_package_import import FieldPackageImportAlgorithm
from .patrol.import_roster import ImportRosterAlgorithm
from .patrol.import_tracks import ImportTracksAlgorithm
from .patrol.parcel_status_layer import ParcelStatusAlgorithm
from .patrol.patrol_coverage import PatrolCoverageAlgorithm
from .patrol.record_patrols import RecordPatrolsAlgorithm
from .patrol.register_warning_posts import RegisterWarningPostsAlgorithm
from .prefecture.publish_store import PublishStoreAlgorithm
from .prefecture.pull_store import PullStoreAlgorithm
from .prefecture.setup_prefecture_store import SetupPrefectureStoreAlgorithm
from .reports.assessment import AssessmentAlgorithm
from .reports.dashboard_report import DashboardReportAlgorithm
from .reports.farmland_ledgers import FarmlandLedgersAlgorithm
from .reports.import_survey_totals import ImportSurveyTotalsAlgorithm
from .reports.qr_labels import QrLabelsAlgorithm
from .reports.statistics_map import StatisticsMapAlgorithm

ALGORITHMS = [
    # space coding
    SpaceCodeAlgorithm, UndoSpaceCodeAlgorithm, ValidateSpaceCodeAlgorithm, DecodeSpaceCodeAlgorithm,
    # patrol grid
    BuildGridAlgorithm, GridCoverageAlgorithm,
    # officers and patrol tasks
    DispatchTasksAlgorithm, RecordPatrolsAlgorithm, ExportTasksAlgorithm,
    ImportRosterAlgorithm, ExportRosterAlgorithm,
    ImportTracksAlgorithm,
    CheckTracksAlgorithm,
    PatrolCoverageAlgorithm,
    RegisterWarningPostsAlgorithm,
    ParcelStatusAlgorithm,
    # the patrol app (掌上田管)
    FieldPackageExportAlgorithm, FieldPackageImportAlgorithm,
    # change analysis and cases
    ChangeDetectionAlgorithm, ExportCasesAlgorithm, VerifyEvidenceAlgorithm,
    ImportVideoAlarmsAlgorithm,
    EnforcementPackageExportAlgorithm, EnforcementPackageImportAlgorithm,
    # maps and reports
    QrLabelsAlgorithm, StatisticsMapAlgorithm, DashboardReportAlgorithm, AssessmentAlgorithm,
    FarmlandLedgersAlgorithm, ImportSurveyTotalsAlgorithm,
    # the prefecture's shared store
    SetupPrefectureStoreAlgorithm, PublishStoreAlgorithm, PullStoreAlgorithm,
]


class TianguanProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "linxia_tianguan"

    def name(self) -> str:
        return tr("Linxia farmland patrol")

    def longName(self) -> str:
        return tr("Linxia farmland patrol (临夏州耕地保护网格化巡田)")

    def icon(self) -> QIcon:
        return QIcon(icon_path("linxia_tianguan.svg"))

    def svgIconPath(self) -> str:
        return icon_path("linxia_tianguan.svg")

    def loadAlgorithms(self) -> None:
        from .cases import exif_reader

        exif_reader.install()  # exiv2 as core's EXIF reader, the plugin's tr() for core's refusal reasons
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
