import { Box, Center } from "@mantine/core";
import { lazy, Suspense } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { Shell } from "./components/Shell";
import { ErrorState, Loading } from "./components/States";
// The first screen anyone sees is Sign in or Overview; the rest load when opened.
import { Overview } from "./pages/Overview";
import { SignIn } from "./pages/SignIn";
import { SignedInProvider, useSessionQuery, useSignedIn } from "./session";

const ForgotPassword = lazy(() => import("./pages/ForgotPassword"));
const ResetPassword = lazy(() => import("./pages/ResetPassword"));
const AcceptInvitation = lazy(() => import("./pages/AcceptInvitation"));
const SignInLink = lazy(() => import("./pages/SignInLink"));
const Configurations = lazy(() => import("./pages/Configurations"));
const EmailSettings = lazy(() => import("./pages/EmailSettings"));
const People = lazy(() => import("./pages/People"));
const Keys = lazy(() => import("./pages/Keys"));
const Suppressions = lazy(() => import("./pages/Suppressions"));
const Announcements = lazy(() => import("./pages/Announcements"));
const AnnouncementReport = lazy(() => import("./pages/AnnouncementReport"));
const Messages = lazy(() => import("./pages/Messages"));
const Message = lazy(() => import("./pages/Message"));
const Compose = lazy(() => import("./pages/Compose"));
const Audit = lazy(() => import("./pages/Audit"));
const NoTenant = lazy(() => import("./pages/NoTenant"));
const Schools = lazy(() => import("./pages/Schools"));
const OperatorPackages = lazy(() => import("./pages/OperatorPackages"));
const Contacts = lazy(() => import("./pages/Contacts"));
const Contact = lazy(() => import("./pages/Contact"));
const Students = lazy(() => import("./pages/Students"));
const Student = lazy(() => import("./pages/Student"));
const Inbox = lazy(() => import("./pages/Inbox"));
const InboxMessage = lazy(() => import("./pages/InboxMessage"));
const OperatorSchool = lazy(() => import("./pages/OperatorSchool"));
const OperatorCredits = lazy(() => import("./pages/OperatorCredits"));
const OperatorTrusts = lazy(() => import("./pages/OperatorTrusts"));
const OperatorReports = lazy(() => import("./pages/OperatorReports"));
const OperatorHealth = lazy(() => import("./pages/OperatorHealth"));

function AdminOnly({ children }: { children: React.ReactNode }) {
  const { isAdmin } = useSignedIn();
  return isAdmin ? children : <Navigate to="/" replace />;
}

/** School screens need an active school; an operator without one starts at Schools. */
function TenantOnly({ children }: { children: React.ReactNode }) {
  const { membership, session } = useSignedIn();
  if (membership) return children;
  return session.operator ? <Navigate to="/operator/schools" replace /> : <NoTenant />;
}

function SignedInRoutes() {
  const session = useSessionQuery();
  const location = useLocation();
  if (session.isPending) return <Loading label="Opening Postbag" />;
  if (session.isError) {
    return (
      <Center mih="100vh" p="md">
        <Box maw={480} w="100%" component="main">
          <ErrorState title="Postbag could not open" error={session.error} retry={() => session.refetch()} />
        </Box>
      </Center>
    );
  }
  if (!session.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <SignedInProvider session={session.data}>
      <Shell>
        <Suspense fallback={<Loading />}>
          <Routes>
            {session.data.operator && <Route path="operator/schools" element={<Schools />} />}
            {session.data.operator && (
              <Route path="operator">
                <Route path="schools/:id" element={<OperatorSchool />} />
                <Route path="packages" element={<OperatorPackages />} />
                <Route path="credits" element={<OperatorCredits />} />
                <Route path="trusts" element={<OperatorTrusts />} />
                <Route path="trusts/:id" element={<OperatorTrusts />} />
                <Route path="reports" element={<OperatorReports />} />
                <Route path="health" element={<OperatorHealth />} />
              </Route>
            )}
            <Route path="*" element={<TenantRoutes />} />
          </Routes>
        </Suspense>
      </Shell>
    </SignedInProvider>
  );
}

function TenantRoutes() {
  return (
    <TenantOnly>
      <Routes>
        <Route index element={<Overview />} />
        <Route path="suppressions" element={<Suppressions />} />
        <Route path="announcements" element={<Announcements />} />
        <Route path="announcements/:id" element={<AnnouncementReport />} />
        <Route path="messages" element={<Messages />} />
        <Route path="messages/:id" element={<Message />} />
        <Route path="announcements/new" element={<Compose />} />
        <Route path="contacts" element={<Contacts />} />
        <Route path="contacts/:externalId" element={<Contact />} />
        <Route path="students" element={<Students />} />
        <Route path="students/:externalId" element={<Student />} />
        <Route path="inbox" element={<Inbox />} />
        <Route path="inbox/:id" element={<InboxMessage />} />
        <Route
          path="configurations"
          element={
            <AdminOnly>
              <Configurations />
            </AdminOnly>
          }
        />
        <Route
          path="email-settings"
          element={
            <AdminOnly>
              <EmailSettings />
            </AdminOnly>
          }
        />
        <Route
          path="people"
          element={
            <AdminOnly>
              <People />
            </AdminOnly>
          }
        />
        <Route
          path="keys"
          element={
            <AdminOnly>
              <Keys />
            </AdminOnly>
          }
        />
        <Route
          path="audit"
          element={
            <AdminOnly>
              <Audit />
            </AdminOnly>
          }
        />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </TenantOnly>
  );
}

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/sign-in/link" element={<SignInLink />} />
        <Route path="/forgot-password" element={<ForgotPassword />} />
        <Route path="/reset-password" element={<ResetPassword />} />
        <Route path="/invitation" element={<AcceptInvitation />} />
        <Route path="/*" element={<SignedInRoutes />} />
      </Routes>
    </Suspense>
  );
}
