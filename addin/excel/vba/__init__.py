"""An Excel add-in's VBA project, ``xl/vbaProject.bin``, written from module source without Excel."""
from .project import VBAModule, build_vba_project

__all__ = ["VBAModule", "build_vba_project"]
