"""ToolCRM (五金客户管理): CRM for a hardware-tool retail chain."""
