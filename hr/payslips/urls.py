app_name = "payslips"
urlpatterns: list = []
